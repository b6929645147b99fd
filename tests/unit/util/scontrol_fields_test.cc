// scontrol's one-line records, read by the Slurm executor and the Slurm provider.
#include <catch2/catch.hpp>

#include "util/scontrol_fields.h"

using namespace wf::util;

TEST_CASE("slurm fields: values with spaces stay whole") {
  auto f = parse_fields("NodeName=c1 State=DOWN+CLOUD Reason=Not responding [slurm@2026-11-29T13:00:00] Partitions=cloud");
  CHECK(f["NodeName"] == "c1");
  CHECK(f["Reason"] == "Not responding [slurm@2026-11-29T13:00:00]");
  CHECK(f["Partitions"] == "cloud");
  CHECK(parse_records("A=1\n\nB=2 C=x=y\n").size() == 2);
  CHECK(parse_records("B=2 C=x=y\n")[0]["C"] == "x=y");
}

TEST_CASE("slurm fields: a word starts a pair only when it looks like Key=") {
  auto f = parse_fields("ReservationName=wf-1 Flags=MAINT,SPEC_NODES Command=/bin/x a=b 9=z TRES=cpu=2,mem=1G");
  CHECK(f["ReservationName"] == "wf-1");
  CHECK(f["Command"] == "/bin/x");   // "a=b" starts a pair of its own
  CHECK(f["a"] == "b 9=z");          // "9=z" does not (a key starts with a letter)
  CHECK(f["TRES"] == "cpu=2,mem=1G");
  CHECK(parse_fields("  leading words=1 before").empty() == false);
  CHECK(parse_fields("no pairs at all").empty());
}
