#pragma once
// The `run.feedback` section (man wf-run(1), FEEDBACK): mode, policy, plan, every decision with its
// reason and outcome, the ratios measured at the end, and the capacity held over the run.
#include "control/feedback.h"
#include "io/json.h"

namespace wf::control {

io::Json feedback_to_json(const FeedbackSummary& s, io::Alloc& a);

}  // namespace wf::control
