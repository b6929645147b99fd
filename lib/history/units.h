#pragma once
// The value forms the importers meet in other systems' files. Every parser is strict (the whole
// field must be read) and returns nullopt on anything else, so the importer can name the field.
#include <cstdint>
#include <optional>
#include <string_view>

namespace wf::history::units {

// Nextflow durations: plain milliseconds ("2751") or its human form: "1d 2h 3m 4s", "3.5s",
// "3.5 s", "250ms", "1h 2m".
std::optional<double> nextflow_duration_s(std::string_view s);

// Nextflow sizes: plain bytes ("2813952") or "1.2 GB", "300 MB", "12 KB", "5 B", "2GB"
// (powers of 1024, as Nextflow's MemoryUnit prints them).
std::optional<std::int64_t> nextflow_bytes(std::string_view s);

// "95.3" or "95.3%".
std::optional<double> percent(std::string_view s);

// Epoch milliseconds ("1674490105000") or "2023-01-23 16:08:25.000" in local time.
std::optional<double> nextflow_time_s(std::string_view s);

// Slurm durations: "[D-][HH:]MM:SS[.mmm]" — Elapsed "01:02:03", "2-00:00:05"; TotalCPU
// "00:01.234", "01:02:03"; also bare seconds "12.5".
std::optional<double> slurm_duration_s(std::string_view s);

// Slurm sizes: "123456K", "1.5G", "4000M", "0"; K/M/G/T/P are powers of 1024. A bare number is in
// `bare_unit_bytes` (1 for MaxRSS, 1 MiB for ReqMem).
std::optional<std::int64_t> slurm_bytes(std::string_view s, std::int64_t bare_unit_bytes);

// Slurm times "2024-05-01T10:00:00" in local time (sacct prints the cluster's local time).
std::optional<double> slurm_time_s(std::string_view s);

}  // namespace wf::history::units
