#include "reap/report.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace wf::reap {
namespace {

constexpr std::array<Outcome, 5> kOrder{Outcome::released, Outcome::already_gone, Outcome::failed, Outcome::skipped,
                                        Outcome::would_release};

io::Json item_to_json(const Item& i, io::Alloc& a) {
  io::Json o(rapidjson::kObjectType);
  io::put(o, "id", i.id, a);
  io::put(o, "provider", i.provider, a);
  io::put(o, "kind", i.kind, a);
  io::put(o, "provider_id", i.provider_id, a);
  io::put(o, "run_id", i.run_id, a);
  io::put(o, "why", i.why, a);
  if (!i.note.empty()) io::put(o, i.outcome == Outcome::failed ? "error" : "note", i.note, a);
  return o;
}

std::string dash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

io::Json report_to_json(const Report& report, io::Alloc& a) {
  io::Json section(rapidjson::kObjectType);
  io::put(section, "dry_run", report.dry_run, a);
  for (Outcome outcome : kOrder) {
    if (outcome == Outcome::would_release && !report.dry_run) continue;
    io::Json list(rapidjson::kArrayType);
    for (const Item& i : report.items)
      if (i.outcome == outcome) list.PushBack(item_to_json(i, a), a);
    io::put(section, to_string(outcome), std::move(list), a);
  }
  return section;
}

std::string report_table(const Report& report) {
  if (report.items.empty()) return "";
  std::vector<std::array<std::string, 7>> rows{{"ID", "PROVIDER", "KIND", "PROVIDER-ID", "RUN", "OUTCOME", "NOTE"}};
  for (const Item& i : report.items)
    rows.push_back({dash(i.id), dash(i.provider), dash(i.kind), dash(i.provider_id), dash(i.run_id),
                    std::string(to_string(i.outcome)), i.note.empty() ? i.why : fmt::format("{}: {}", i.why, i.note)});
  std::array<size_t, 7> width{};
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], width[c]);
    out += line + "\n";
  }
  out += fmt::format("{}{} released, {} already gone, {} failed, {} skipped\n",
                     report.dry_run ? fmt::format("dry run: {} would be released; ", report.count(Outcome::would_release)) : "",
                     report.count(Outcome::released), report.count(Outcome::already_gone),
                     report.count(Outcome::failed), report.count(Outcome::skipped));
  return out;
}

}  // namespace wf::reap
