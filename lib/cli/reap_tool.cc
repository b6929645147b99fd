// wf-reap: release what a run held, what expired, and what providers hold that the ledger lost.
#include <unistd.h>

#include "cli/tool.h"
#include "io/source.h"
#include "model/units.h"
#include "provider/paths.h"
#include "provider/provision_json.h"
#include "reap/document.h"
#include "reap/report.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::cli {
namespace {

struct ReapToolOptions {
  CommonOptions common;
  std::string ledger;
  std::vector<std::string> runs;
  bool expired = false;
  bool orphans = false;
  bool dry_run = false;
  bool list = false;
  bool verbose = false;
  std::vector<std::string> providers;
  std::vector<std::string> provider_env;
  double provider_timeout_s = 120;
  std::string scratch_root;
  double lock_timeout_s = 60;
  double claim_timeout_s = 900;
};

bool wants_document(const ReapToolOptions& o, const CLI::App& app) {
  if (app.count("input") > 0) return true;
  return o.runs.empty() && !o.expired && !o.orphans && !o.list;
}

std::string format_for(const ReapToolOptions& o, bool document) {
  if (o.common.format != "auto") return o.common.format;
  return document ? "json" : "table";
}

std::string section_text(const io::Json& section, const std::string& format) {
  return format == "yaml" ? io::to_yaml(section) : io::to_json(section);
}

// --list: the ledger's live rows.
int list_ledger(provider::Ledger& ledger, const ReapToolOptions& o, const Output& out) {
  auto rows = ledger.live();
  std::string format = format_for(o, false);
  if (format != "table") {
    io::JsonDoc doc(rapidjson::kObjectType);
    io::Json list(rapidjson::kArrayType);
    for (const auto& r : rows) {
      io::Json item = provider::resource_to_json(r, doc.GetAllocator());
      io::put(item, "run_id", r.run_id, doc.GetAllocator());
      io::put(item, "created_s", io::number(r.created_s), doc.GetAllocator());
      if (auto e = r.expires_s()) io::put(item, "expires_s", io::number(*e), doc.GetAllocator());
      if (!r.error.empty()) io::put(item, "error", r.error, doc.GetAllocator());
      list.PushBack(item, doc.GetAllocator());
    }
    io::put(doc, "resources", std::move(list), doc.GetAllocator());
    out.write(o.common.output, section_text(doc, format));
    return 0;
  }
  if (rows.empty() && !o.verbose) return 0;
  std::string text = fmt::format("{:<20}  {:<10}  {:<8}  {:<20}  {:<10}  {:<20}  {}\n", "ID", "PROVIDER", "KIND",
                                 "PROVIDER-ID", "STATE", "EXPIRES", "RUN");
  for (const auto& r : rows) {
    auto expires = r.expires_s();
    text += fmt::format("{:<20}  {:<10}  {:<8}  {:<20}  {:<10}  {:<20}  {}\n", r.id, r.provider, r.kind,
                        r.provider_id.empty() ? "-" : r.provider_id, provider::to_string(r.state),
                        expires ? util::iso8601(*expires) : "-", r.run_id.empty() ? "-" : r.run_id);
  }
  out.write(o.common.output, text);
  return 0;
}

// One line per problem on stderr: what could not be released, and what a document listed that is
// not its run's (a row another reaper is releasing is no problem: it is only in the report).
void diagnose(const reap::Report& report) {
  for (const auto& i : report.items) {
    if (i.outcome == reap::Outcome::failed)
      util::diag(util::Severity::error, fmt::format("{}: {}", i.id.empty() ? i.provider : i.id, i.note));
    else if (i.outcome == reap::Outcome::skipped && i.why == "document")
      util::warn("{}: not released: {}", i.id, i.note);
  }
}

int run_reap(const ReapToolOptions& o, const CLI::App& app, const Output& out) {
  util::set_quiet(o.common.quiet);
  bool document = wants_document(o, app);
  if (document && o.common.input == "-" && isatty(STDIN_FILENO))
    fail(util::Exit::usage, "nothing to reap: give a document (a file or stdin), --run ID, --expired or --orphans");
  std::optional<io::Document> doc;
  reap::Selection selection;
  if (document) {
    doc.emplace(io::Document::load(o.common.input));
    reap::DocumentClaim claim = reap::document_claim(*doc);
    if (!claim.has_provision) util::note("{}: the document has no provision section: nothing to release", o.common.input);
    if (!claim.warning.empty()) util::warn("{}: {}", o.common.input, claim.warning);
    selection.doc_ids = claim.ids;
    selection.doc_owners = claim.owners;
  }
  selection.run_ids = o.runs;
  selection.expired = o.expired;
  selection.orphans = o.orphans;
  selection.orphan_providers = o.providers;

  provider::LedgerOptions lo;
  lo.lock_timeout_s = o.lock_timeout_s;
  std::string ledger_path = provider::resolve_ledger_path(o.ledger.empty() ? std::nullopt : std::optional(o.ledger));
  provider::Ledger ledger = provider::Ledger::open(ledger_path, lo);
  if (o.list) return list_ledger(ledger, o, out);
  provider::ProviderConfig config;
  config.pool.scratch_root =
      provider::resolve_scratch_root(o.scratch_root.empty() ? std::nullopt : std::optional(o.scratch_root), ledger_path);
  config.exec.pass_env = o.provider_env;
  config.exec.timeout_s = o.provider_timeout_s;
  provider::Providers providers(ledger, config);
  reap::ReapOptions ro;
  ro.dry_run = o.dry_run;
  ro.stale_claim_s = o.claim_timeout_s;
  ro.in_flight_s = o.provider_timeout_s;
  reap::Reaper reaper(ledger, providers, ro);
  reap::Report report = reaper.reap(selection);
  diagnose(report);

  std::string format = format_for(o, document);
  if (format == "table") {
    if (!report.nothing_done() || o.verbose) {
      std::string table = report_table(report);
      out.write(o.common.output, table.empty() ? "nothing to reap\n" : table);
    }
  } else if (doc) {
    doc->set_section("reap", reap::report_to_json(report, doc->alloc()));
    emit(*doc, o.common, out);
  } else {
    io::JsonDoc section(rapidjson::kObjectType);
    static_cast<io::Json&>(section) = reap::report_to_json(report, section.GetAllocator());
    out.write(o.common.output, section_text(section, format));
  }
  return report.exit_code();
}

}  // namespace

int reap_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Release what a run held (the ledger ids its document's provision section lists), what\n"
               "expired (TTL passed, heartbeat lost), and what a provider holds as wf's that the ledger\n"
               "lost. Idempotent, safe to run concurrently and from cron (no output when nothing is done).",
               "wf-reap"};
  ReapToolOptions o;
  o.common.format = "auto";
  add_common(app, o.common, {"auto", "json", "yaml", "table"},
             "wf document whose run to release ('-' for stdin; read when no other selection is given)");
  app.add_option("--ledger", o.ledger, "ledger database (default: $WF_LEDGER, else ~/.local/share/wf/ledger.db)")
      ->type_name("PATH");
  app.add_option("--run", o.runs, "release every resource run ID owns (repeatable)")->type_name("ID")->allow_extra_args(false);
  app.add_flag("--expired", o.expired, "release resources whose TTL passed without a heartbeat");
  app.add_flag("--orphans", o.orphans, "release what providers hold as wf's that the ledger does not");
  app.add_option("--provider", o.providers, "also look for orphans at provider NAME: local, slurm, exec:PROGRAM (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  app.add_flag("-n,--dry-run", o.dry_run, "show what would be released; change nothing");
  app.add_flag("--list", o.list, "list the ledger's resources that are not released, and stop");
  app.add_flag("-v,--verbose", o.verbose, "print the table even when there is nothing to do");
  app.add_option("--provider-env", o.provider_env,
                 "pass NAME (or every PREFIX* variable, or NAME=value) to exec: plugins (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  app.add_option("--provider-timeout", o.provider_timeout_s, "seconds a plugin call may take")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--scratch-root", o.scratch_root,
                 "the local pool's scratch directories (default: $WF_SCRATCH_ROOT, else beside the ledger)")
      ->type_name("DIR");
  app.add_option("--lock-timeout", o.lock_timeout_s, "seconds to wait for the ledger's lock before exit 75")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--claim-timeout", o.claim_timeout_s, "seconds after which another reaper's claim is taken over")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 864000.0));
  app.footer("Exit: 0 done (or nothing to do), 1 something could not be released, 64 usage, 65 bad document,\n"
             "69 provider unavailable, 75 ledger locked. See wf-reap(1), wf-provider(7), wf(7).");
  return run_tool("wf-reap", app, argc, argv, [&] { return run_reap(o, app, out); });
}

}  // namespace wf::cli
