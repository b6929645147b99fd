#pragma once
// Category colours: a fixed palette (no red, which marks failures and anomalies), assigned in the
// order of ReportData::categories (heaviest first), so the same document always gets the same
// colours. Categories past the palette share one grey, shown as "other" in legends.
#include <cstdint>

namespace wf::report {

inline constexpr uint32_t kDistinctColours = 10;

// The fill of category `index`.
const char* category_colour(uint32_t index);
inline constexpr const char* kOtherColour = "#b8b8b8";

// Marks, kept apart from the category colours.
inline constexpr const char* kForecastColour = "#3b6ea8";
inline constexpr const char* kBandColour = "#a9c6e8";
inline constexpr const char* kReservedColour = "#e8771e";
inline constexpr const char* kUsedColour = "#4a9a4a";
inline constexpr const char* kCapacityColour = "#c62f2f";
inline constexpr const char* kPlannedColour = "#7b4fa3";
inline constexpr const char* kAlertColour = "#d62728";
inline constexpr const char* kInkColour = "#222222";
inline constexpr const char* kGridColour = "#e3e3e3";
inline constexpr const char* kMutedColour = "#666666";

}  // namespace wf::report
