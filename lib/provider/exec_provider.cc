#include "provider/exec_provider.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include "util/strings.h"

extern char** environ;

namespace wf::provider {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::vector<std::string> process_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

// The last lines of a plugin's stderr, for a message: at most 300 characters, on one line.
std::string stderr_tail(const std::string& err) {
  std::string text(util::trim(err));
  if (text.empty()) return "";
  if (text.size() > 300) text = "..." + text.substr(text.size() - 300);
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return fmt::format("; stderr: {}", text);
}

bool is_json_object(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  return !d.HasParseError() && d.IsObject();
}

// `text` as it appears inside a JSON string written by RapidJSON (no quotes around it).
std::string json_escaped(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  std::string quoted = buffer.GetString();
  return quoted.substr(1, quoted.size() - 2);
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

// What comes back from the plugin, with the secrets of its environment blanked out.
void redact_answer(PluginAnswer& a, const std::vector<std::string>& secrets) {
  if (secrets.empty()) return;
  a.error_code = redact(std::move(a.error_code), secrets);
  a.error_message = redact(std::move(a.error_message), secrets);
  a.resource_json = redact(std::move(a.resource_json), secrets);
  for (auto& r : a.resources) r.resource_json = redact(std::move(r.resource_json), secrets);
}

}  // namespace

bool secret_name(std::string_view name) {
  std::string n = upper(name);
  for (const char* word : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "AUTH", "COOKIE",
                           "SESSION", "PRIVATE", "API_KEY", "ACCESS_KEY"})
    if (n.find(word) != std::string::npos) return true;
  return util::ends_with(n, "KEY") || util::ends_with(n, "PASS");
}

std::vector<std::string> secret_values(const std::vector<std::string>& env) {
  std::vector<std::string> values;
  for (const auto& e : env) {
    auto eq = e.find('=');
    if (eq == std::string::npos || !secret_name(std::string_view(e).substr(0, eq))) continue;
    std::string value = e.substr(eq + 1);
    if (value.size() >= 4) values.push_back(std::move(value));
  }
  // Longest first, so a secret that contains another is blanked whole.
  std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    replace_all(text, s, "***");
    if (std::string escaped = json_escaped(s); escaped != s) replace_all(text, escaped, "***");
  }
  return text;
}

std::vector<std::string> plugin_environment(const std::vector<std::string>& pass_env,
                                            const std::vector<std::string>& environment) {
  std::map<std::string, std::string> from, to;
  for (const auto& e : environment)
    if (auto eq = e.find('='); eq != std::string::npos) from.emplace(e.substr(0, eq), e.substr(eq + 1));
  auto copy = [&](const std::string& name) {
    if (auto it = from.find(name); it != from.end()) to[name] = it->second;
  };
  to["PATH"] = from.count("PATH") && !from["PATH"].empty() ? from["PATH"] : kDefaultPath;
  copy("HOME");
  copy("LANG");
  for (const auto& entry : pass_env) {
    auto eq = entry.find('=');
    std::string name = entry.substr(0, eq);
    bool prefix = eq == std::string::npos && !name.empty() && name.back() == '*';
    if (prefix) name.pop_back();
    if (!valid_name(name))
      fail(util::Exit::usage, "--provider-env '{}': expected NAME, PREFIX* or NAME=value", entry);
    if (eq != std::string::npos) to[name] = entry.substr(eq + 1);
    else if (!prefix) copy(name);
    else
      for (auto it = from.lower_bound(name); it != from.end() && util::starts_with(it->first, name); ++it)
        to[it->first] = it->second;
  }
  std::vector<std::string> env;
  for (const auto& [name, value] : to) env.push_back(name + "=" + value);
  return env;
}

std::string resolve_program(const std::string& program, const std::string& path_var) {
  namespace fs = std::filesystem;
  auto runnable = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
  };
  if (program.empty())
    throw ProviderError(ProviderError::Kind::unavailable, "no_program", "exec: no program named (use exec:PROGRAM)");
  if (program.find('/') != std::string::npos) {
    fs::path p = fs::absolute(program).lexically_normal();
    if (!runnable(p))
      throw ProviderError(ProviderError::Kind::unavailable, "no_program",
                          fmt::format("exec:{}: no such executable file", program));
    return p.string();
  }
  for (const auto& dir : util::split(path_var, ':')) {
    if (dir.empty() || dir.front() != '/') continue;  // relative PATH entries would depend on the cwd
    fs::path p = fs::path(dir) / program;
    if (runnable(p)) return p.lexically_normal().string();
  }
  throw ProviderError(ProviderError::Kind::unavailable, "no_program",
                      fmt::format("exec:{}: not found on PATH ({})", program, path_var));
}

ExecProvider::ExecProvider(std::string program, ExecOptions options)
    : program_(std::move(program)), name_("exec:" + program_), options_(std::move(options)) {
  if (options_.environment.empty()) options_.environment = process_environment();
  env_ = plugin_environment(options_.pass_env, options_.environment);
  secrets_ = secret_values(env_);
}

std::string ExecProvider::where(const PluginRequest& r) const {
  std::string_view object = !r.idempotency_key.empty() ? r.idempotency_key : r.id;
  return object.empty() ? fmt::format("{}: {}", name_, r.op) : fmt::format("{}: {} {}", name_, r.op, object);
}

PluginAnswer ExecProvider::call(const PluginRequest& request, bool not_found_ok) {
  using Kind = ProviderError::Kind;
  ProgramRunner& runner = options_.runner ? *options_.runner : real_runner();
  util::Clock& clock = options_.clock ? *options_.clock : util::real_clock();
  ProgramOptions po;
  po.timeout_s = options_.timeout_s;
  po.max_output_bytes = options_.max_output_bytes;
  std::string input = encode_request(request);
  double backoff = options_.backoff_s;
  for (int attempt = 1;; ++attempt) {
    ProgramResult run = runner.run({program_}, env_, input, po);
    std::string tail = stderr_tail(redact(std::move(run.err), secrets_));
    if (run.timed_out)
      throw ProviderError(Kind::timeout, "timeout",
                          fmt::format("{}: no answer within {}s; the plugin's process group was killed{}",
                                      where(request), util::format_number(options_.timeout_s), tail));
    if (run.output_overflow)
      throw ProviderError(Kind::protocol, "protocol",
                          fmt::format("{}: printed more than {} bytes; the plugin was killed", where(request),
                                      options_.max_output_bytes));
    if (int sig = run.term_signal())
      throw ProviderError(Kind::protocol, "crashed",
                          fmt::format("{}: the plugin was killed by {}{}", where(request), signal_name(sig), tail));
    std::string problem;
    auto answer = decode_answer(run.out, request.op, &problem);
    if (answer) redact_answer(*answer, secrets_);
    if (!answer) {
      std::string status = run.exit_code() == 0 ? "" : fmt::format(" (it exited with status {})", run.exit_code());
      throw ProviderError(Kind::protocol, "protocol",
                          fmt::format("{}: the plugin's answer is not wf-provider/1: {}{}{}", where(request), problem,
                                      status, tail));
    }
    if (answer->ok && run.exit_code() != 0)
      throw ProviderError(Kind::protocol, "protocol",
                          fmt::format("{}: the plugin answered ok but exited with status {}{}", where(request),
                                      run.exit_code(), tail));
    if (answer->ok || (not_found_ok && answer->error_code == "not_found")) return *answer;
    if (answer->retryable && attempt < options_.attempts) {
      clock.sleep(backoff);
      backoff *= 2;
      continue;
    }
    std::string after = answer->retryable ? fmt::format(" (still failing after {} tries)", attempt) : "";
    throw ProviderError(answer->retryable ? Kind::retryable : Kind::permanent, answer->error_code,
                        fmt::format("{}: {}: {}{}", where(request), answer->error_code,
                                    answer->error_message.empty() ? "(no message)" : answer->error_message, after));
  }
}

ProviderResource ExecProvider::create(const CreateRequest& r) {
  PluginRequest request{"create", r.idempotency_key, r.kind, r.spec_json, "", r.ttl_s, r.owner};
  PluginAnswer a = call(request, false);
  return {a.id, r.kind, r.idempotency_key, a.resource_json};
}

std::optional<ProviderResource> ExecProvider::describe(std::string_view id) {
  PluginRequest request{"describe", "", "", "", std::string(id), std::nullopt, ""};
  PluginAnswer a = call(request, true);
  if (!a.ok) return std::nullopt;
  return ProviderResource{a.id.empty() ? std::string(id) : a.id, "", "", a.resource_json};
}

ProviderResource ExecProvider::resize(std::string_view id, std::string_view spec_json, std::string_view key) {
  if (!is_json_object(spec_json))
    throw ProviderError(ProviderError::Kind::permanent, "invalid",
                        fmt::format("{}: resize {}: the spec is not a JSON object", name_, id));
  PluginRequest request{"resize", std::string(key), "", std::string(spec_json), std::string(id), std::nullopt, ""};
  PluginAnswer a = call(request, false);
  return {a.id, "", std::string(key), a.resource_json};
}

Removed ExecProvider::remove(std::string_view id, std::string_view key) {
  PluginRequest request{"delete", std::string(key), "", "", std::string(id), std::nullopt, ""};
  PluginAnswer a = call(request, true);
  return !a.ok || a.already_gone ? Removed::already_gone : Removed::deleted;
}

std::vector<ProviderResource> ExecProvider::list() {
  PluginRequest request{"list", "", "", "", "", std::nullopt, ""};
  return call(request, false).resources;
}

}  // namespace wf::provider
