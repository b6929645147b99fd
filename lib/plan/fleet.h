#pragma once
// Which instances to hold over the timeline, swept stretch by stretch in time order so that
// capacity already paid for is used. Under per-hour billing an instance started for a short peak
// is paid to the end of its hour: holding it until then costs nothing, and covering later stretches
// with it instead of with new instances is where following the timeline pays off. Per stretch:
//   1. running instances whose billed time does not grow by holding them through the stretch are
//      kept (free capacity);
//   2. what they leave uncovered gets the cheapest integer mix (Coverer::integer);
//   3. that mix is taken from running instances of the same candidate first (oldest first), and
//      started fresh only beyond them; every other running instance is released;
//   4. unless keeping the running fleet (topped up with the cheapest mix for what it lacks, then
//      stripped of instances the stretch does not need) costs no more: then the fleet stays.
//      Step 4 matters where prices are linear in size (GCP: 8 x n2d-standard-2 cost exactly one
//      n2d-standard-16), where many mixes tie and choosing afresh would swap machines for nothing.
// So every stretch pays, beyond free capacity, exactly the cheapest integer mix's rate. Under
// per-second billing step 1 only keeps instances inside their first minute; the instance windows
// are bridged afterwards (windows.h).
#include <optional>
#include <vector>

#include "plan/cover.h"
#include "plan/demand.h"
#include "plan/windows.h"

namespace wf::plan {

// windows[j]: one window per instance of coverer.candidates()[j], sorted; over segments[s] the
// windows hold at least what needs[s] requires. nullopt when some need cannot be covered.
std::optional<std::vector<std::vector<Window>>> fleet_windows(Coverer& coverer, const std::vector<Segment>& segments,
                                                             const std::vector<Need>& needs, const Billing& billing);

}  // namespace wf::plan
