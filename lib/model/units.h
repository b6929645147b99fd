#pragma once
// Quantities with units, as people write them in workflow files, to base units and back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wf::model {

// Bytes: "2GiB", "512Mi", "1.5GB", "100M", "4096" (a bare number is bytes). Binary suffixes
// (Ki, KiB, Mi, ...) are powers of 1024, decimal ones (K, KB, M, ...) powers of 1000; letters are
// case-insensitive. On failure returns nullopt and sets *why.
std::optional<uint64_t> parse_bytes(std::string_view text, std::string* why);
// Cores: "2", "0.5", "500m" (millicores).
std::optional<double> parse_cpus(std::string_view text, std::string* why);
// Seconds: "90", "90s", "250ms", "5m", "1h30m", "2d", "1.5h".
std::optional<double> parse_duration(std::string_view text, std::string* why);
// Bytes per second: "100MB/s", "1GiB/s", "1Gbps", "1Gbit/s", "800Mb/s" (bits), a bare number is B/s.
std::optional<double> parse_rate(std::string_view text, std::string* why);

// For people: "1.5GiB", "512MiB", "3B"; "1h02m", "4.2s"; at most 3 significant digits.
std::string format_bytes(double bytes);
std::string format_duration(double seconds);

}  // namespace wf::model
