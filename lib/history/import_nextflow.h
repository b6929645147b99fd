#pragma once
// Nextflow execution traces as history: the default tab-separated trace.txt (human units:
// "1m 2s", "1.2 GB", "95.3%", "2023-01-23 16:08:25.000") and the comma-separated variant with raw
// numbers (ms, bytes, epoch ms) found in ../shared/traces/nfcore. The delimiter is detected from
// the header; columns are found by name, and "-" means missing.
//
// Mapping: process -> category (or the name without its " (tag)" when there is no process column);
// name -> task id; task_id (else hash) -> native id; realtime -> runtime_s; %cpu / 100 × realtime ->
// cpu_time_s; peak_rss (else rss) -> peak_rss_bytes; rchar/wchar (else read_bytes/write_bytes) ->
// read/write bytes; exit; attempt (default 1); cpus -> cpus_reserved; memory -> mem_reserved_bytes;
// hostname -> host; start/complete, else end = submit + duration and start = end - realtime.
// Features: input_bytes = rchar, cpus = cpus. Status: COMPLETED -> succeeded, FAILED -> failed,
// ABORTED -> cancelled; CACHED (ran in an earlier run) and NEW/SUBMITTED/RUNNING are skipped.
#include <string>
#include <string_view>

#include "history/import.h"

namespace wf::history {

// `name` is used in messages and, with options completed, for the run id; rows get options.source.
Parsed parse_nextflow_trace(std::string_view text, const std::string& name, const ImportOptions& options = {});

ImportResult import_nextflow_trace(Store& store, const std::string& path, ImportOptions options = {});

}  // namespace wf::history
