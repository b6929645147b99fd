// A provisioning driver for the end-to-end tests (tests/e2e/provider_*.sh, reap_*.sh), which need
// a process that creates resources through the ledger — and that they can kill -9 mid-call — before
// wf-provision exists to be that process. Hidden: it runs only when asked for by its tag,
//   WF_DRIVER_LEDGER=... test_provider "[.driver]"
// Environment:
//   WF_DRIVER_LEDGER    the ledger (required)
//   WF_DRIVER_PROVIDER  local (default) or exec:PROGRAM
//   WF_DRIVER_KIND, WF_DRIVER_SPEC   one resource request (default: lease, {"cpus":1})
//   WF_DRIVER_COUNT     how many such resources (default 1), created as one plan
//   WF_DRIVER_TTL       their TTL in seconds (default: none; the local provider requires one)
//   WF_DRIVER_RUN       the owner run id (default driver-run)
//   WF_DRIVER_SCRATCH   the local pool's scratch root
//   WF_DRIVER_PASS_ENV  comma-separated --provider-env entries for exec: plugins
//   WF_DRIVER_DOC       write a wf document with the provision section here
//   WF_DRIVER_HOLD_S    then stay this long, renewing every WF_DRIVER_RENEW_S seconds if set
// Exit: 0 created, else the error's exit code (with its message on stderr).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "io/source.h"
#include "provider/paths.h"
#include "provider/provision_json.h"
#include "provider/registry.h"
#include "util/strings.h"

using namespace wf::provider;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

double number_env(const char* name, double fallback) {
  auto v = wf::util::parse_double(env_or(name, ""));
  return v ? *v : fallback;
}

void write_document(const std::string& path, const std::string& run, const std::vector<Resource>& made) {
  wf::io::JsonDoc doc;
  doc.Parse(R"({"apiVersion":"wf/v1","workflow":{"name":"driver","tasks":[{"id":"a","run":"true"}]}})");
  wf::io::Json section(rapidjson::kObjectType);
  write_provision(section, run, made, doc.GetAllocator());
  wf::io::put(doc, "provision", std::move(section), doc.GetAllocator());
  wf::io::write_output(path, wf::io::to_json(doc));
}

void hold(Providers& providers, const std::vector<Resource>& made) {
  double hold_s = number_env("WF_DRIVER_HOLD_S", 0), renew_s = number_env("WF_DRIVER_RENEW_S", 0);
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(hold_s);
  std::vector<std::string> ids;
  for (const auto& r : made) ids.push_back(r.id);
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::duration<double>(renew_s > 0 ? std::min(renew_s, hold_s) : hold_s));
    if (renew_s <= 0) continue;
    for (const auto& r : made)
      if (r.provider == "local") providers.pool().renew(r.id);
    providers.ledger().heartbeat(ids);
  }
}

int drive() {
  std::string path = env_or("WF_DRIVER_LEDGER", "");
  if (path.empty()) throw wf::Error(wf::util::Exit::usage, "WF_DRIVER_LEDGER is not set");
  Ledger ledger = Ledger::open(path);
  ProviderConfig config;
  config.pool.scratch_root = resolve_scratch_root(env_or("WF_DRIVER_SCRATCH", ""), path);
  config.pool.reserve_mem_bytes = 0;
  config.pool.reserve_disk_bytes = 0;
  for (const auto& e : wf::util::split(env_or("WF_DRIVER_PASS_ENV", ""), ','))
    if (!e.empty()) config.exec.pass_env.push_back(e);
  config.exec.timeout_s = number_env("WF_DRIVER_TIMEOUT", 120);
  Providers providers(ledger, config);
  Provider& provider = providers.get(env_or("WF_DRIVER_PROVIDER", "local"));
  std::optional<double> ttl;
  if (std::getenv("WF_DRIVER_TTL")) ttl = number_env("WF_DRIVER_TTL", 60);
  ResourceRequest one{env_or("WF_DRIVER_KIND", "lease"), env_or("WF_DRIVER_SPEC", R"({"cpus":1})"), ttl};
  std::vector<ResourceRequest> plan(static_cast<size_t>(number_env("WF_DRIVER_COUNT", 1)), one);
  ProvisionOptions options;
  options.run_id = env_or("WF_DRIVER_RUN", "driver-run");
  auto made = create_resources(ledger, provider, plan, options);
  for (const auto& r : made) std::printf("%s %s\n", r.id.c_str(), r.provider_id.c_str());
  std::fflush(stdout);
  if (auto doc = env_or("WF_DRIVER_DOC", ""); !doc.empty()) write_document(doc, options.run_id, made);
  hold(providers, made);
  return 0;
}

}  // namespace

TEST_CASE("provisioning driver for the end-to-end tests", "[.driver]") {
  int code = 0;
  try {
    code = drive();
  } catch (const wf::Error& e) {
    std::fprintf(stderr, "driver: error: %s\n", e.what());
    code = wf::util::code(e.exit());
  }
  std::fflush(nullptr);
  std::_Exit(code);  // the exit code is the driver's, not Catch's
}
