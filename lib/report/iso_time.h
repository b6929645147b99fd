#pragma once
// Reading the run's own timestamps ("2026-11-29T02:00:00Z", as util::iso8601 writes them), for
// documents whose tasks have no start_offset_s: the Gantt chart then places them by started_at.
#include <optional>
#include <string_view>

namespace wf::report {

// Seconds since the Unix epoch of "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)"; nullopt when it is not one.
std::optional<double> parse_iso8601(std::string_view text);

}  // namespace wf::report
