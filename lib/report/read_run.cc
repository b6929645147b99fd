// The run's tasks (else the analysis' planned schedule) as bars, their categories, their
// deviations from the forecast and the anomalies the run recorded.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "report/axis.h"
#include "report/iso_time.h"
#include "report/read.h"

namespace wf::report {
namespace {

using io::Json;

const Json* array_at(const Json* obj, std::string_view key) {
  const Json* v = obj ? io::get(*obj, key) : nullptr;
  return v && v->IsArray() ? v : nullptr;
}

std::string string_at(const Json* obj, std::string_view key) {
  auto s = obj ? io::get_string(*obj, key) : std::nullopt;
  return s ? std::string(*s) : std::string();
}

// Where attempts are in time. start_offset_s is the run's own; documents written before it
// existed have only started_at (whole seconds), placed against the run's started_at (or, lacking
// that, the earliest attempt).
class Timing {
 public:
  explicit Timing(const Json& run) {
    if (auto s = io::get_string(run, "started_at")) origin_ = parse_iso8601(*s);
    if (origin_) return;
    if (const Json* tasks = array_at(&run, "tasks"))
      for (const auto& t : tasks->GetArray())
        if (const Json* m = io::get(t, "measured"))
          if (auto s = io::get_string(*m, "started_at"))
            if (auto at = parse_iso8601(*s)) origin_ = origin_ ? std::min(*origin_, *at) : *at;
  }
  std::optional<double> start(const Json& attempt) {
    if (auto off = io::get_number(attempt, "start_offset_s")) return *off;
    if (!origin_) return std::nullopt;
    auto s = io::get_string(attempt, "started_at");
    auto at = s ? parse_iso8601(*s) : std::nullopt;
    if (!at) return std::nullopt;
    to_the_second_ = true;
    return *at - *origin_;
  }
  // Whether some attempt was placed by started_at.
  bool to_the_second() const { return to_the_second_; }

 private:
  std::optional<double> origin_;
  bool to_the_second_ = false;
};

// One attempt as a bar segment, and what it held and used into `use`.
std::optional<Attempt> read_attempt(const Json& a, Timing& timing, RunUse& use) {
  auto start = timing.start(a);
  if (!start) return std::nullopt;
  double runtime = std::max(0.0, number_at(&a, "runtime_s"));
  auto status = io::get_string(a, "status");
  Attempt at{*start, *start + runtime, status && *status != "succeeded"};
  const Json* reserved = io::get(a, "reserved");
  double cpus = number_at(reserved, "cpus");
  double cpu_time = number_at(&a, "cpu_time_s");
  use.reserved_cpus.push_back({at.start_s, at.end_s, cpus});
  use.reserved_mem.push_back({at.start_s, at.end_s, number_at(reserved, "mem_bytes")});
  use.rss.push_back({at.start_s, at.end_s, number_at(&a, "peak_rss_bytes")});
  if (runtime > 0) {
    use.used_cpus.push_back({at.start_s, at.end_s, cpu_time / runtime});
    use.io.push_back({at.start_s, at.end_s, (number_at(&a, "read_bytes") + number_at(&a, "write_bytes")) / runtime});
  }
  use.cpu_s += cpu_time;
  use.reserved_cpu_s += cpus * runtime;
  return at;
}

std::optional<Ratio> ratio_at(const Json* deviation, std::string_view key) {
  const Json* d = deviation ? io::get(*deviation, key) : nullptr;
  if (!d || !d->IsObject()) return std::nullopt;
  auto ratio = io::get_number(*d, "ratio");
  if (!ratio || !(*ratio > 0)) return std::nullopt;
  Ratio r;
  r.ratio = *ratio;
  r.measured = number_at(d, "measured");
  r.p50 = number_at(d, "p50");
  r.p95 = io::get_number(*d, "p95");
  if (const Json* above = io::get(*d, "above_p95"); above && above->IsBool()) r.above_p95 = above->GetBool();
  return r;
}

// A measure's name tells its unit: *_bytes_per_s, *_bytes, *_s, cpus.
std::string value_text(const Json* v, std::string_view measure) {
  if (!v) return "";
  if (v->IsString()) return std::string(io::view(*v));
  if (!v->IsNumber()) return v->IsBool() ? (v->GetBool() ? "true" : "false") : "";
  double x = v->GetDouble();
  if (measure.ends_with("_per_s")) return format_value(x, Unit::bytes_per_s);
  if (measure.ends_with("bytes") || measure == "mem" || measure == "rss") return format_value(x, Unit::bytes);
  if (measure.ends_with("_s") || measure == "runtime") return format_value(x, Unit::seconds);
  if (measure == "cpus") return format_value(x, Unit::cpus);
  return plain(x);
}

void read_anomalies(const Json& run, ReportData& data, const std::unordered_map<std::string_view, uint32_t>& bar_of) {
  const Json* list = array_at(&run, "anomalies");
  if (!list) return;
  for (const auto& a : list->GetArray()) {
    if (!a.IsObject()) continue;
    Anomaly an;
    an.task = string_at(&a, "task");
    an.measure = string_at(&a, "measure");
    an.value = value_text(io::get(a, "value"), an.measure);
    an.expected = value_text(io::get(a, "expected"), an.measure);
    an.why = string_at(&a, "why");
    if (auto it = bar_of.find(an.task); it != bar_of.end())
      data.bars[it->second].anomalies.push_back(static_cast<uint32_t>(data.anomalies.size()));
    data.anomalies.push_back(std::move(an));
  }
}

void read_run_tasks(const Json& run, ReportData& data, RunUse& use, std::vector<std::string>& category_of_bar,
                    const std::unordered_map<std::string_view, const std::string*>& category_by_id) {
  const Json* tasks = array_at(&run, "tasks");
  if (!tasks) return;
  Timing timing(run);
  data.bars.reserve(tasks->Size());
  for (const auto& t : tasks->GetArray()) {
    Bar bar;
    bar.id = string_at(&t, "id");
    bar.status = string_at(&t, "status");
    if (const Json* history = array_at(&t, "history"); history && !history->Empty()) {
      for (const auto& a : history->GetArray())
        if (auto at = read_attempt(a, timing, use)) bar.attempts.push_back(*at);
    } else if (const Json* m = io::get(t, "measured"); m && m->IsObject()) {
      if (auto at = read_attempt(*m, timing, use)) bar.attempts.push_back(*at);
    }
    if (const Json* dev = io::get(t, "deviation")) {
      Deviation d;
      d.task = static_cast<uint32_t>(data.bars.size());
      d.runtime = ratio_at(dev, "runtime_s");
      d.mem = ratio_at(dev, "mem_bytes");
      for (const auto& r : {d.runtime, d.mem})
        if (r) d.score = std::max(d.score, std::fabs(std::log(r->ratio)));
      if (d.runtime || d.mem) data.deviations.push_back(d);
    }
    auto c = category_by_id.find(bar.id);
    category_of_bar.push_back(c != category_by_id.end() && !c->second->empty() ? *c->second : bar.id);
    data.bars.push_back(std::move(bar));
  }
  data.starts_to_the_second = timing.to_the_second();
}

// Without a run: the analysis' schedule under unlimited capacity, so a forecast has a timeline too.
void read_planned_tasks(const Json& analysis, ReportData& data, std::vector<std::string>& category_of_bar,
                        const std::unordered_map<std::string_view, const std::string*>& category_by_id) {
  const Json* per_task = array_at(&analysis, "per_task");
  if (!per_task) return;
  for (const auto& t : per_task->GetArray()) {
    Bar bar;
    bar.id = string_at(&t, "id");
    double start = number_at(&t, "earliest_start_s");
    bar.attempts.push_back({start, start + number_at(&t, "duration_s"), false});
    auto c = category_by_id.find(bar.id);
    category_of_bar.push_back(c != category_by_id.end() && !c->second->empty() ? *c->second : bar.id);
    data.bars.push_back(std::move(bar));
  }
}

// Heaviest first (summed bar time, then task count), ties by name; each bar gets its index.
void order_categories(ReportData& data, const std::vector<std::string>& category_of_bar) {
  std::map<std::string_view, Category> by_name;
  for (size_t i = 0; i < data.bars.size(); ++i) {
    Category& c = by_name[category_of_bar[i]];
    ++c.tasks;
    for (const auto& a : data.bars[i].attempts) c.busy_s += a.end_s - a.start_s;
  }
  for (auto& [name, c] : by_name) {
    c.name = std::string(name);
    data.categories.push_back(c);
  }
  std::sort(data.categories.begin(), data.categories.end(), [](const Category& a, const Category& b) {
    if (a.busy_s != b.busy_s) return a.busy_s > b.busy_s;
    if (a.tasks != b.tasks) return a.tasks > b.tasks;
    return a.name < b.name;
  });
  std::unordered_map<std::string_view, uint32_t> index;
  for (size_t i = 0; i < data.categories.size(); ++i) index[data.categories[i].name] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < data.bars.size(); ++i) data.bars[i].category = index.at(category_of_bar[i]);
}

void read_header(const io::Document& doc, const Json* run, ReportData& data) {
  data.workflow = doc.workflow().name;
  data.tasks = doc.workflow().tasks.size();
  if (!run) return;
  data.has_run = true;
  data.run_id = string_at(run, "id");
  data.status = string_at(run, "status");
  data.started_at = string_at(run, "started_at");
  data.finished_at = string_at(run, "finished_at");
  data.elapsed_s = number_at(run, "elapsed_s");
  const Json* summary = io::get(*run, "summary");
  data.succeeded = static_cast<size_t>(number_at(summary, "succeeded"));
  data.failed = static_cast<size_t>(number_at(summary, "failed"));
  data.not_run = static_cast<size_t>(number_at(summary, "not_run"));
  data.retried = static_cast<size_t>(number_at(summary, "retried"));
}

}  // namespace

double number_at(const Json* obj, std::string_view key) { return obj ? io::get_number(*obj, key).value_or(0) : 0; }

double band_at(const Json* obj, std::string_view key, std::string_view quantile) {
  const Json* b = obj ? io::get(*obj, key) : nullptr;
  return b ? io::get_number(*b, quantile).value_or(0) : 0;
}

void read_tasks(const io::Document& doc, ReportData& data, RunUse& use) {
  const Json* run = doc.section("run");
  if (run && !run->IsObject()) run = nullptr;
  read_header(doc, run, data);
  std::unordered_map<std::string_view, const std::string*> category_by_id;
  for (const auto& t : doc.workflow().tasks) category_by_id.emplace(t.id, &t.category);

  std::vector<std::string> category_of_bar;
  const Json* analysis = doc.section("analysis");
  if (run) {
    read_run_tasks(*run, data, use, category_of_bar, category_by_id);
    data.bars_source = "run";
  } else if (analysis) {
    read_planned_tasks(*analysis, data, category_of_bar, category_by_id);
    data.bars_source = "analysis";
  }
  order_categories(data, category_of_bar);

  std::unordered_map<std::string_view, uint32_t> bar_of;
  for (size_t i = 0; i < data.bars.size(); ++i) bar_of.emplace(data.bars[i].id, static_cast<uint32_t>(i));
  const Json* critical = analysis ? io::get(*analysis, "critical_path") : nullptr;
  if (const Json* ids = array_at(critical, "tasks"))
    for (const auto& id : ids->GetArray())
      if (id.IsString())
        if (auto it = bar_of.find(io::view(id)); it != bar_of.end()) data.bars[it->second].critical = true;
  if (run) read_anomalies(*run, data, bar_of);

  std::sort(data.deviations.begin(), data.deviations.end(), [&](const Deviation& a, const Deviation& b) {
    if (a.score != b.score) return a.score > b.score;
    return data.bars[a.task].id < data.bars[b.task].id;
  });
  for (const auto& b : data.bars)
    for (const auto& a : b.attempts) data.span_s = std::max(data.span_s, a.end_s);
  data.span_s = std::max(data.span_s, data.elapsed_s);
}

}  // namespace wf::report
