#pragma once
// Earlier stages run in-process, so that every tool also accepts a bare workflow: wf-provision on a
// workflow without a forecast makes one as wf-predict would with its defaults.
#include "io/document.h"
#include "model/dag.h"

namespace wf::cli {

// Adds a `prediction` section (history at the default place, 100 samples, seed 1, unlimited
// capacity) when the document has none.
void ensure_prediction(io::Document& doc, const model::Dag& dag);

}  // namespace wf::cli
