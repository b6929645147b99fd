#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "history/units.h"

using namespace wf::history::units;
using Catch::Detail::Approx;

namespace {
void utc() {
  setenv("TZ", "UTC", 1);
  tzset();
}
}  // namespace

TEST_CASE("Nextflow durations: milliseconds and the human form") {
  CHECK(nextflow_duration_s("2751") == 2.751);
  CHECK(nextflow_duration_s("0") == 0);
  CHECK(nextflow_duration_s("1m 2s") == 62);
  CHECK(nextflow_duration_s("3.5 s") == 3.5);
  CHECK(nextflow_duration_s("3.5s") == 3.5);
  CHECK(nextflow_duration_s("250ms") == Approx(0.25));
  CHECK(nextflow_duration_s("1h 2m 3s") == 3723);
  CHECK(nextflow_duration_s("1d 2h") == 93600);
  CHECK_FALSE(nextflow_duration_s("abc"));
  CHECK_FALSE(nextflow_duration_s("5 parsecs"));
  CHECK_FALSE(nextflow_duration_s(""));
  CHECK_FALSE(nextflow_duration_s("-5"));
}

TEST_CASE("Nextflow sizes: bytes and the human form, powers of 1024") {
  CHECK(nextflow_bytes("2813952") == 2813952);
  CHECK(nextflow_bytes("1.2 GB") == 1288490189);
  CHECK(nextflow_bytes("300 MB") == 314572800);
  CHECK(nextflow_bytes("12 KB") == 12288);
  CHECK(nextflow_bytes("5 B") == 5);
  CHECK(nextflow_bytes("2GB") == 2147483648);
  CHECK_FALSE(nextflow_bytes("12 parsecs"));
  CHECK_FALSE(nextflow_bytes("GB"));
}

TEST_CASE("percent and Nextflow times") {
  utc();
  CHECK(percent("95.3%") == 95.3);
  CHECK(percent("65.5") == 65.5);
  CHECK_FALSE(percent("lots"));
  CHECK(nextflow_time_s("1674490105000") == 1674490105);
  CHECK(nextflow_time_s("2023-01-23 16:08:25.000") == 1674490105);
  CHECK(nextflow_time_s("2023-01-23 16:08:25.500") == 1674490105.5);
  CHECK_FALSE(nextflow_time_s("yesterday"));
}

TEST_CASE("Slurm durations, sizes and times") {
  utc();
  CHECK(slurm_duration_s("01:02:03") == 3723);
  CHECK(slurm_duration_s("2-00:00:05") == 172805);
  CHECK(slurm_duration_s("00:01.234") == Approx(1.234));
  CHECK(slurm_duration_s("12:34") == 754);
  CHECK(slurm_duration_s("12.5") == 12.5);
  CHECK_FALSE(slurm_duration_s("1:2:3:4"));
  CHECK_FALSE(slurm_duration_s("INVALID"));
  CHECK(slurm_bytes("123456K", 1) == 123456 * 1024LL);
  CHECK(slurm_bytes("1.5G", 1) == 1610612736);
  CHECK(slurm_bytes("0", 1) == 0);
  CHECK(slurm_bytes("4000", 1024 * 1024) == 4000LL * 1024 * 1024);
  CHECK_FALSE(slurm_bytes("4X", 1));
  CHECK(slurm_time_s("2024-05-01T10:00:00") == 1714557600);
  CHECK_FALSE(slurm_time_s("2024-05-01 10:00:00"));
  CHECK_FALSE(slurm_time_s("Unknown"));
}
