#pragma once
// The page's tables (internal to the module): each appends HTML to `out`, capped in rows.
#include <string>

#include "report/data.h"

namespace wf::report {

inline constexpr size_t kMaxDeviationRows = 25;
inline constexpr size_t kMaxCategoryTableRows = 15;
inline constexpr size_t kMaxAnomalyRows = 50;

void deviation_table(std::string& out, const ReportData& data);
void category_table(std::string& out, const ReportData& data);
void anomaly_table(std::string& out, const ReportData& data);
void fact_tables(std::string& out, const ReportData& data);

}  // namespace wf::report
