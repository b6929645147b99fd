#pragma once
// Amounts and durations in plan messages: "<$0.0001", "$0.0291", "$12.35", "$1234", "45 s", "20 min",
// "3.5 h".
#include <string>

namespace wf::plan {

std::string usd(double amount);
std::string duration(double seconds);
std::string percent(double fraction);  // 0.683 -> "68%"

}  // namespace wf::plan
