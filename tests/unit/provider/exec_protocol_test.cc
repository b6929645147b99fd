#include <catch2/catch.hpp>

#include "provider/exec_protocol.h"
#include "provider/exec_provider.h"

using namespace wf::provider;

namespace {

std::string problem_of(std::string_view text, std::string_view op) {
  std::string problem;
  auto a = decode_answer(text, op, &problem);
  CHECK_FALSE(a);
  return problem;
}

// Answers from a script of outputs, one per run; counts the runs.
class ScriptedRunner final : public ProgramRunner {
 public:
  explicit ScriptedRunner(std::vector<std::string> outputs) : outputs_(std::move(outputs)) {}
  ProgramResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env, std::string_view input,
                    const ProgramOptions&) override {
    argv_ = argv;
    env_ = env;
    inputs.emplace_back(input);
    ProgramResult r;
    r.out = outputs_.at(std::min(runs++, outputs_.size() - 1));
    return r;
  }
  size_t runs = 0;
  std::vector<std::string> inputs;

 private:
  std::vector<std::string> outputs_;
  std::vector<std::string> argv_, env_;
};

constexpr const char* kRetry = R"({"ok":false,"error":{"code":"rate_limited","message":"later","retryable":true}})";

}  // namespace

TEST_CASE("requests carry the protocol, the op, the key and the spec as it is") {
  PluginRequest r{"create", "res-0123456789abcdef", "host", R"({"net_bytes_per_s":1000000})", "", 600.0, "run-1"};
  CHECK(encode_request(r) ==
        R"({"protocol":"wf-provider/1","op":"create","idempotency_key":"res-0123456789abcdef","kind":"host",)"
        R"("spec":{"net_bytes_per_s":1000000},"ttl_s":600.0,"owner":"run-1"})"
        "\n");
  PluginRequest list{"list", "", "", "", "", std::nullopt, ""};
  CHECK(encode_request(list) == "{\"protocol\":\"wf-provider/1\",\"op\":\"list\"}\n");
}

TEST_CASE("answers are decoded per op") {
  std::string problem;
  auto created = decode_answer(R"({"ok":true,"id":"i-1","resource":{"ip":"10.0.0.2"}})" "\n\n", "create", &problem);
  REQUIRE(created);
  CHECK(created->id == "i-1");
  CHECK(created->resource_json == R"({"ip":"10.0.0.2"})");
  auto gone = decode_answer(R"({"ok":true,"already_gone":true})", "delete", &problem);
  REQUIRE(gone);
  CHECK(gone->already_gone);
  auto listed = decode_answer(
      R"({"ok":true,"resources":[{"id":"b","kind":"vm","idempotency_key":"res-2"},{"id":"a","resource":{"x":1}}]})",
      "list", &problem);
  REQUIRE(listed);
  REQUIRE(listed->resources.size() == 2);
  CHECK(listed->resources[0].id == "a");  // sorted
  CHECK(listed->resources[0].resource_json == R"({"x":1})");
  CHECK(listed->resources[1].idempotency_key == "res-2");
  auto refused = decode_answer(R"({"ok":false,"error":{"code":"quota","message":"full"}})", "create", &problem);
  REQUIRE(refused);
  CHECK_FALSE(refused->ok);
  CHECK(refused->error_code == "quota");
  CHECK_FALSE(refused->retryable);
}

TEST_CASE("what is not an answer is said precisely") {
  CHECK(problem_of("  \n", "list") == "printed nothing");
  CHECK(problem_of("hello", "list").rfind("not JSON", 0) == 0);
  CHECK(problem_of(R"({"ok":true} {"ok":true})", "list").rfind("not JSON", 0) == 0);
  CHECK(problem_of("[1]", "list") == "the answer is not a JSON object");
  CHECK(problem_of(R"({"ok":"yes"})", "list") == "'ok' is missing or not a boolean");
  CHECK(problem_of(R"({"ok":true})", "create") == "'id' is missing or empty");
  CHECK(problem_of(R"({"ok":true,"id":"x","resource":[1]})", "create") == "'resource' is not an object");
  CHECK(problem_of(R"({"ok":true})", "list") == "'resources' is missing or not an array");
  CHECK(problem_of(R"({"ok":true,"resources":[{"kind":"vm"}]})", "list") ==
        "resources[0]: 'id' is missing or not a non-empty string");
  CHECK(problem_of(R"({"ok":false})", "create") == "\"ok\":false without an 'error' object");
  CHECK(problem_of(R"({"ok":false,"error":{"retryable":"yes"}})", "create") == "'error.retryable' is not a boolean");
}

TEST_CASE("an answer nested without end is refused, not a stack overflow") {
  // A plugin's stdout may be up to 1 MiB: a million '[' once overflowed the recursive parser.
  CHECK(problem_of(std::string(1 << 20, '['), "list").rfind("not JSON", 0) == 0);
  std::string deep = R"({"ok":true,"id":"x","resource":{"a":)" + std::string(70, '[') + std::string(70, ']') + "}}";
  CHECK(problem_of(deep, "create") == "JSON nested deeper than 64 levels");
  std::string fine = R"({"ok":true,"id":"x","resource":{"a":)" + std::string(60, '[') + std::string(60, ']') + "}}";
  std::string problem;
  CHECK(decode_answer(fine, "create", &problem));
}

TEST_CASE("retryable answers are retried with doubling pauses on the clock; not_found is no error where it means gone") {
  wf::util::FakeClock clock;
  ScriptedRunner runner({kRetry, kRetry, kRetry, R"({"ok":true,"id":"i-7"})"});
  ExecOptions o;
  o.clock = &clock;
  o.runner = &runner;
  o.environment = {"PATH=/bin"};
  ExecProvider p("/opt/plugin", o);
  double start = clock.wall();
  CHECK(p.create({"vm", "{}", "res-00000000000000a1", std::nullopt, ""}).id == "i-7");
  CHECK(runner.runs == 4);
  CHECK(clock.wall() - start == Approx(1 + 2 + 4));
  for (const auto& input : runner.inputs) CHECK(input.find(R"("idempotency_key":"res-00000000000000a1")") != std::string::npos);

  ScriptedRunner missing({R"({"ok":false,"error":{"code":"not_found","message":"no"}})"});
  o.runner = &missing;
  ExecProvider q("/opt/plugin", o);
  CHECK_FALSE(q.describe("i-1"));
  CHECK(q.remove("i-1", "res-00000000000000a1") == Removed::already_gone);
  CHECK_THROWS_AS(q.resize("i-1", "{}", "res-00000000000000a1"), ProviderError);
}
