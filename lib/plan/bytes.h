#pragma once
// Memory sizes with units, as users write them in YAML catalogs: "16GiB", "1.5 TiB", "512MiB",
// "16GB" (decimal units are powers of 1000). A bare number is refused: "16" could mean GiB or bytes.
#include <optional>
#include <string>
#include <string_view>

namespace wf::plan {

inline constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// nullopt when the text is not a non-negative number followed by a known unit.
std::optional<double> parse_bytes(std::string_view text);
// "16 GiB", "0.5 GiB": the unit cloud catalogs use.
std::string format_gib(double bytes);

}  // namespace wf::plan
