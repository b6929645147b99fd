// The real nf-core traces in ../shared/traces/nfcore (skipped where ../shared is absent).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "history/import_nextflow.h"
#include "history/store.h"
#include "temp_dir.h"
#include "util/csv.h"

using namespace wf::history;
using wf::history::testing::query;
using wf::history::testing::TempDir;

namespace {

struct Expected {
  const char* file;
  size_t rows;
  size_t completed;
};

// Row counts from SOURCES.md beside the traces.
constexpr Expected kTraces[] = {
    {"trace_chipseq.csv", 2938, 2938}, {"trace_eager.csv", 1576, 1576},
    {"trace_iwd.csv", 1661, 1661},     {"trace_mag.csv", 6242, 6242},
    {"trace_methylseq.csv", 1083, 1011}, {"trace_rnaseq.csv", 1308, 1308},
};

std::string nfcore_dir() { return std::string(WF_SHARED_DIR) + "/traces/nfcore"; }

// COMPLETED rows per process, counted straight from the file.
std::map<std::string, size_t> completed_per_process(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto csv = wf::util::Csv::parse(text, path);
  size_t process = *csv.column("process"), status = *csv.column("status");
  std::map<std::string, size_t> out;
  for (size_t r = 0; r < csv.rows(); ++r)
    if (csv.at(r, status) == "COMPLETED") ++out[csv.at(r, process)];
  return out;
}

}  // namespace

TEST_CASE("the nf-core traces import whole, every completed task present") {
  if (!std::filesystem::exists(nfcore_dir())) {
    WARN("skipped: " << nfcore_dir() << " is absent");
    return;
  }
  TempDir dir;
  Store store = Store::open(dir.file("history.db"));
  size_t total = 0;
  for (const Expected& t : kTraces) {
    std::string path = nfcore_dir() + "/" + t.file;
    ImportResult r = import_nextflow_trace(store, path);
    fmt::print("{}: {} added, {} present, {} skipped\n", t.file, r.added, r.present, r.skipped);
    CHECK(r == ImportResult{t.rows, 0, 0});
    total += t.rows;

    std::string run = std::filesystem::path(t.file).stem().string();
    for (const auto& [process, count] : completed_per_process(path)) {
      size_t stored = 0;
      for (const Execution& e : store.samples(process))
        if (e.run_id == run) ++stored;
      INFO(t.file << " " << process);
      CHECK(stored == count);
    }
  }
  CHECK(store.count() == total);
  // Importing everything again adds nothing.
  for (const Expected& t : kTraces)
    CHECK(import_nextflow_trace(store, nfcore_dir() + "/" + t.file) == ImportResult{0, t.rows, 0});
  CHECK(store.count() == total);

  // methylseq's failed tasks are kept with their missing measurements.
  auto preseq = store.samples("NFCORE_METHYLSEQ:METHYLSEQ:PRESEQ_LCEXTRAP", query(false));
  size_t failed = 0;
  for (const Execution& e : preseq)
    if (e.status == Status::failed) {
      ++failed;
      CHECK(e.exit_code == 1);
      CHECK_FALSE(e.peak_rss_bytes);
    }
  CHECK(failed > 0);
  CHECK(store.check().empty());
  fmt::print("nf-core total: {} executions in {} categories, {} runs\n", store.count(),
             store.categories().size(), store.runs().size());
}
