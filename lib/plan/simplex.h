#pragma once
// A compact dense two-phase simplex for the small linear programs of the cost bound (a handful of
// constraints, tens of variables). Bland's rule picks entering and leaving variables, so it never
// cycles and the result is deterministic.
//
//   minimize    cost . x
//   subject to  row . x  (<= | >= | =)  rhs   for every constraint
//               x >= 0
#include <vector>

namespace wf::plan {

enum class Sense { le, ge, eq };

struct Constraint {
  std::vector<double> coefficients;  // one per variable
  Sense sense = Sense::ge;
  double rhs = 0;
};

struct LinearProgram {
  std::vector<double> cost;
  std::vector<Constraint> constraints;
};

enum class LpStatus { optimal, infeasible, unbounded };

struct LpSolution {
  LpStatus status = LpStatus::infeasible;
  double objective = 0;   // meaningful when optimal
  std::vector<double> x;  // meaningful when optimal
};

// Throws wf::Error (exit 70) when a constraint's width differs from the cost's (a caller's bug).
LpSolution minimize(const LinearProgram& lp);

}  // namespace wf::plan
