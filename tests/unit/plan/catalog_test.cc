#include <catch2/catch.hpp>

#include <filesystem>

#include "plan/bytes.h"
#include "plan/catalog.h"
#include "util/error.h"

using namespace wf::plan;

namespace {

const char* kHeader =
    "provider,region,instance_type,family,vcpu,memory_gib,gpu,network_gbps,ondemand_usd_per_hour,"
    "spot_usd_per_hour,spot_interruption_bucket\n";

std::string error_of(const std::string& text, const std::string& name = "t.csv") {
  try {
    parse_catalog_csv(text, name);
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
    return e.what();
  }
  return "no error";
}

std::string yaml_error_of(const std::string& text) {
  try {
    parse_catalog_yaml(text, "c.yaml");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("csv catalog: offers per option, empty spot cells mean no spot offer") {
  std::string text = std::string(kHeader) +
                     "aws,us-east-1,m5.large,m5,2,8,0,0.75,0.096,0.0291,15-20%\n"
                     "aws,us-east-1,m5.2xlarge,m5,8,32,0,2.5,0.384,,10-15%\n"
                     "gcp,us-central1,n2d-standard-2,n2d,2,8,,,0.08449,0.01753,\n";
  Catalog c = parse_catalog_csv(text, "t.csv");
  REQUIRE(c.types.size() == 3);
  REQUIRE(c.offers.size() == 5);
  const InstanceType* t = c.find_type("m5.2xlarge");
  REQUIRE(t);
  CHECK(t->vcpu == 8);
  CHECK(t->mem_bytes == 32 * kGiB);
  CHECK(t->network_gbps == 2.5);
  CHECK(c.find_offer("m5.2xlarge", "us-east-1", PurchaseOption::on_demand));
  CHECK_FALSE(c.find_offer("m5.2xlarge", "us-east-1", PurchaseOption::spot));
  const Offer* spot = c.find_offer("m5.large", "us-east-1", PurchaseOption::spot);
  REQUIRE(spot);
  CHECK(spot->usd_per_hour == 0.0291);
  REQUIRE(spot->interruption);
  CHECK(spot->interruption->bucket == "15-20%");
  CHECK_FALSE(spot->interruption->assumed);
  CHECK(spot->source == "t.csv:2");
  const Offer* gcp = c.find_offer("n2d-standard-2", "us-central1", PurchaseOption::spot);
  REQUIRE(gcp);
  CHECK(gcp->interruption->assumed);  // GCP publishes no bucket
  CHECK(c.find_type("n2d-standard-2")->gpus == 0);
  CHECK(c.regions() == std::vector<std::string>{"us-central1", "us-east-1"});
}

TEST_CASE("csv catalog: AWS t-family types are burstable unless a column says otherwise") {
  Catalog c = parse_catalog_csv(std::string(kHeader) +
                                    "aws,us-east-1,t3.medium,t3,2,4,0,0.256,0.0416,,<5%\n"
                                    "aws,us-east-1,t4g.small,,2,2,0,0.256,0.0168,,\n"
                                    "aws,us-east-1,trn1.2xlarge,trn1,8,32,0,3.125,1.34,,\n"
                                    "gcp,us-central1,t2d-standard-1,t2d,1,4,,,0.04,,\n",
                                "t.csv");
  CHECK(c.find_type("t3.medium")->burstable);
  CHECK(c.find_type("t4g.small")->burstable);
  CHECK_FALSE(c.find_type("trn1.2xlarge")->burstable);
  CHECK_FALSE(c.find_type("t2d-standard-1")->burstable);  // GCP's t2d is not burstable
  Catalog d = parse_catalog_csv("region,instance_type,vcpu,memory_gib,ondemand_usd_per_hour,burstable\n"
                                "r,x.1,2,4,0.1,true\nr,t3.big,2,4,0.1,false\n",
                                "b.csv");
  CHECK(d.find_type("x.1")->burstable);
  CHECK_FALSE(d.find_type("t3.big")->burstable);
  CHECK(error_of("region,instance_type,vcpu,memory_gib,burstable\nr,x.1,2,4,maybe\n") ==
        "t.csv:2:burstable: 'maybe' is not true or false");
}

TEST_CASE("csv catalog: bad cells name file, line and column") {
  std::string h = kHeader;
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,two,8,0,0.75,0.096,0.0291,15-20%\n") ==
        "t.csv:2:vcpu: 'two' is not a number");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,8,0,0.75,0.096,0.0291,15-20%\n"
                     "aws,us-west-2,m5.large,m5,2,8,0,0.75,0.096,0.03x,15-20%\n") ==
        "t.csv:3:spot_usd_per_hour: '0.03x' is not a number");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,8,0,0.75,-0.096,,\n") ==
        "t.csv:2:ondemand_usd_per_hour: must be greater than 0, found -0.096");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,,0,0.75,0.096,,\n") == "t.csv:2:memory_gib: empty, a value is required");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,8,-1,0.75,0.096,,\n") == "t.csv:2:gpu: must not be negative, found -1");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,8,0,0.75,0.096,0.03,30%\n") ==
        "t.csv:2:spot_interruption_bucket: unknown bucket '30%' (expected one of <5%, 5-10%, 10-15%, 15-20%, >20%)");
  CHECK(error_of("region,instance_type,memory_gib\nus-east-1,m5.large,8\n") == "t.csv:1: missing column 'vcpu'");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,8,0,0.75,0.096,,\naws,us-east-1,m5.large,m5,2,8,0,0.75,0.1,,\n") ==
        "t.csv:3: instance type 'm5.large' in region 'us-east-1' is already given on line 2");
  CHECK(error_of(h + "aws,us-east-1,m5.large,m5,2,8,0,0.75,0.096,,\naws,us-west-2,m5.large,m5,4,8,0,0.75,0.1,,\n") ==
        "t.csv:3: instance type 'm5.large' has 4 vcpu here but 2 in t.csv:2");
}

TEST_CASE("yaml catalog: units, prices per region and option, reserved, transfer") {
  Catalog c = parse_catalog_yaml(R"(provider: onprem
types:
  - name: big.node
    family: big
    vcpu: 32
    memory: 128GiB
    gpu: 2
    network_gbps: 10
    regions:
      site-a: {on_demand: 1.20, spot: 0.40, spot_interruption: 5-10%, reserved: 0.80}
      site-b: {on-demand: 1.30}
  - name: small.node
    vcpu: 2
    memory: 4096 MiB
    regions:
      site-a: {spot: 0.05}
transfer:
  - {from: site-a, to: site-b, usd_per_gb: 0.02}
)", "c.yaml");
  REQUIRE(c.types.size() == 2);
  const InstanceType* big = c.find_type("big.node");
  CHECK(big->provider == "onprem");
  CHECK(big->mem_bytes == 128 * kGiB);
  CHECK(big->gpus == 2);
  CHECK(c.find_type("small.node")->mem_bytes == 4 * kGiB);
  CHECK(c.find_offer("big.node", "site-a", PurchaseOption::reserved)->usd_per_hour == 0.80);
  CHECK(c.find_offer("big.node", "site-b", PurchaseOption::on_demand)->usd_per_hour == 1.30);
  CHECK(c.find_offer("big.node", "site-a", PurchaseOption::spot)->interruption->bucket == "5-10%");
  CHECK(c.find_offer("small.node", "site-a", PurchaseOption::spot)->interruption->assumed);
  CHECK(c.transfer_usd_per_gb("site-a", "site-b") == 0.02);
  CHECK_FALSE(c.transfer_usd_per_gb("site-b", "site-a"));
}

TEST_CASE("yaml catalog: errors name file:line:column and the key") {
  CHECK(yaml_error_of("types:\n  - name: a\n    vcpus: 2\n    memory: 4GiB\n    regions: {r: {spot: 1}}\n") ==
        "c.yaml:3:5: unknown key 'vcpus' (did you mean 'vcpu'?)");
  CHECK(yaml_error_of("types:\n  - name: a\n    vcpu: 2\n    memory: 4\n    regions: {r: {spot: 1}}\n") ==
        "c.yaml:4:13: memory: '4' is not a size with a unit such as 16GiB or 512MiB");
  CHECK(yaml_error_of("types:\n  - name: a\n    vcpu: 2\n    memory: 4GiB\n    regions: {r: {spot: cheap}}\n") ==
        "c.yaml:5:25: spot: 'cheap' is not a number");
  CHECK(yaml_error_of("types:\n  - name: a\n    vcpu: 2\n    memory: 4GiB\n    regions: {r: {spot: 1, spot_interruption: 2%}}\n") ==
        "c.yaml:5:47: spot_interruption: unknown bucket '2%' (expected one of <5%, 5-10%, 10-15%, 15-20%, >20%)");
  CHECK(yaml_error_of("types: [\n") .rfind("c.yaml:", 0) == 0);
  CHECK(yaml_error_of("- 1\n") == "c.yaml: a catalog must be a mapping with a 'types' list");
}

TEST_CASE("yaml catalog: a key that is a list or a mapping is an error, not a stray exception") {
  // Found by fuzzing (tests/fuzz/catalog_yaml_fuzz.cc): yaml-cpp's own exception escaped.
  CHECK(yaml_error_of("types:\n? - a\n: 1\n") == "c.yaml:2:3: a key must be a plain value");
  CHECK(yaml_error_of("types:\n  - name: a\n    vcpu: 2\n    memory: 4GiB\n    regions: {[r]: {spot: 1}}\n") ==
        "c.yaml:5:15: a key must be a plain value");
}

TEST_CASE("parse_bytes needs a unit") {
  CHECK(parse_bytes("16GiB") == 16 * kGiB);
  CHECK(parse_bytes("1.5 TiB") == 1.5 * 1024 * kGiB);
  CHECK(parse_bytes("16GB") == 16e9);
  CHECK_FALSE(parse_bytes("16"));
  CHECK_FALSE(parse_bytes("16 XB"));
  CHECK_FALSE(parse_bytes("-1GiB"));
}

TEST_CASE("merge: later prices replace earlier ones, conflicting specs fail") {
  Catalog a = parse_catalog_csv(std::string(kHeader) + "aws,r1,t1,f,2,8,0,1,0.10,0.03,<5%\n", "a.csv");
  Catalog b = parse_catalog_yaml("types:\n  - {name: t1, vcpu: 2, memory: 8GiB, regions: {r1: {on_demand: 0.07}, r2: {on_demand: 0.2}}}\n",
                                 "b.yaml");
  Catalog m = merge_all({a, b});
  CHECK(m.find_offer("t1", "r1", PurchaseOption::on_demand)->usd_per_hour == 0.07);
  CHECK(m.find_offer("t1", "r1", PurchaseOption::spot)->usd_per_hour == 0.03);
  CHECK(m.find_offer("t1", "r2", PurchaseOption::on_demand));
  CHECK(m.types.size() == 1);
  Catalog bad = parse_catalog_yaml("types:\n  - {name: t1, vcpu: 4, memory: 8GiB, regions: {r1: {on_demand: 0.07}}}\n", "bad.yaml");
  try {
    merge(m, bad);
    FAIL("merge accepted a conflicting type");
  } catch (const wf::Error& e) {
    CHECK(std::string(e.what()) == "bad.yaml:2: instance type 't1' has 4 vcpu here but 2 in a.csv:2");
  }
}

TEST_CASE("read_catalog: missing file is exit 66, unknown extension 65") {
  try {
    read_catalog("/nonexistent/catalog.csv");
    FAIL("no error");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::no_input);
  }
  std::string here = WF_SOURCE_DIR "/tests/unit/plan/catalog_test.cc";
  try {
    read_catalog(here);
    FAIL("no error");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
  }
}

TEST_CASE("the shipped catalogs load") {
  std::string dir = WF_SHARED_DIR "/catalogs";
  if (!std::filesystem::exists(dir + "/aws-ec2.csv")) {
    WARN("no shared catalogs: skipped");
    return;
  }
  Catalog aws = read_catalog(dir + "/aws-ec2.csv");
  Catalog gcp = read_catalog(dir + "/gcp-compute.csv");
  CHECK(aws.types.size() == 40);
  CHECK(aws.regions().size() == 4);
  CHECK(aws.find_offer("m5.2xlarge", "us-east-1", PurchaseOption::on_demand));
  CHECK_FALSE(aws.find_offer("m5.2xlarge", "us-east-1", PurchaseOption::spot));  // empty cell
  CHECK(aws.find_type("p3.2xlarge")->gpus == 1);
  CHECK(gcp.types.size() == 4);
  Catalog both = merge_all({aws, gcp});
  CHECK(both.regions().size() == 8);
}
