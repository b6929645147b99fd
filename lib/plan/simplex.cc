#include "plan/simplex.h"

#include <cmath>

#include <Eigen/Dense>

#include "util/error.h"

namespace wf::plan {
namespace {

constexpr double kEps = 1e-9;

// The tableau: rows 0..m-1 are constraints [A | rhs], row m holds the reduced costs and -z.
class Tableau {
 public:
  Tableau(Eigen::Index rows, Eigen::Index cols) : t_(Eigen::MatrixXd::Zero(rows + 1, cols + 1)), basis_(rows, -1) {}

  Eigen::Index rows() const { return t_.rows() - 1; }
  Eigen::Index cols() const { return t_.cols() - 1; }
  double& at(Eigen::Index r, Eigen::Index c) { return t_(r, c); }
  double& rhs(Eigen::Index r) { return t_(r, cols()); }
  std::vector<Eigen::Index>& basis() { return basis_; }
  double value() const { return -t_(rows(), cols()); }

  // Sets the objective row from per-column costs, made reduced against the current basis.
  void set_objective(const std::vector<double>& cost) {
    t_.row(rows()).setZero();
    for (Eigen::Index j = 0; j < cols(); ++j) t_(rows(), j) = cost[static_cast<size_t>(j)];
    for (Eigen::Index i = 0; i < rows(); ++i) {
      double cb = cost[static_cast<size_t>(basis_[static_cast<size_t>(i)])];
      if (cb != 0) t_.row(rows()) -= cb * t_.row(i);
    }
  }

  void pivot(Eigen::Index r, Eigen::Index c) {
    t_.row(r) /= t_(r, c);
    for (Eigen::Index i = 0; i <= rows(); ++i)
      if (i != r && t_(i, c) != 0) t_.row(i) -= t_(i, c) * t_.row(r);
    basis_[static_cast<size_t>(r)] = c;
  }

  // Runs Bland's rule over the columns below `limit`; false when unbounded.
  bool optimise(Eigen::Index limit) {
    const Eigen::Index max_steps = 50 * (rows() + cols() + 10);
    for (Eigen::Index step = 0; step < max_steps; ++step) {
      Eigen::Index enter = -1;
      for (Eigen::Index j = 0; j < limit && enter < 0; ++j)
        if (t_(rows(), j) < -kEps) enter = j;
      if (enter < 0) return true;
      Eigen::Index leave = -1;
      double best = 0;
      for (Eigen::Index i = 0; i < rows(); ++i) {
        if (t_(i, enter) <= kEps) continue;
        double ratio = rhs(i) / t_(i, enter);
        if (leave < 0 || ratio < best - kEps ||
            (ratio <= best + kEps && basis_[static_cast<size_t>(i)] < basis_[static_cast<size_t>(leave)])) {
          leave = i;
          best = ratio;
        }
      }
      if (leave < 0) return false;
      pivot(leave, enter);
    }
    fail(util::Exit::software, "simplex: no convergence after {} pivots", max_steps);
  }

 private:
  Eigen::MatrixXd t_;
  std::vector<Eigen::Index> basis_;
};

}  // namespace

LpSolution minimize(const LinearProgram& lp) {
  const auto n = static_cast<Eigen::Index>(lp.cost.size());
  const auto m = static_cast<Eigen::Index>(lp.constraints.size());
  Eigen::Index slacks = 0, artificials = 0;
  for (const auto& c : lp.constraints) {
    if (static_cast<Eigen::Index>(c.coefficients.size()) != n)
      fail(util::Exit::software, "simplex: a constraint has {} coefficients for {} variables", c.coefficients.size(), n);
    Sense s = c.rhs < 0 ? (c.sense == Sense::le ? Sense::ge : c.sense == Sense::ge ? Sense::le : Sense::eq) : c.sense;
    slacks += s != Sense::eq;
    artificials += s != Sense::le;
  }
  Tableau t(m, n + slacks + artificials);
  Eigen::Index next_slack = n, next_art = n + slacks;
  for (Eigen::Index i = 0; i < m; ++i) {
    const Constraint& c = lp.constraints[static_cast<size_t>(i)];
    double sign = c.rhs < 0 ? -1.0 : 1.0;
    Sense s = sign < 0 ? (c.sense == Sense::le ? Sense::ge : c.sense == Sense::ge ? Sense::le : Sense::eq) : c.sense;
    for (Eigen::Index j = 0; j < n; ++j) t.at(i, j) = sign * c.coefficients[static_cast<size_t>(j)];
    t.rhs(i) = sign * c.rhs;
    if (s == Sense::le) {
      t.at(i, next_slack) = 1;
      t.basis()[static_cast<size_t>(i)] = next_slack++;
    } else {
      if (s == Sense::ge) t.at(i, next_slack++) = -1;
      t.at(i, next_art) = 1;
      t.basis()[static_cast<size_t>(i)] = next_art++;
    }
  }
  const Eigen::Index first_art = n + slacks;
  LpSolution out;
  if (artificials > 0) {
    std::vector<double> phase1(static_cast<size_t>(t.cols()), 0.0);
    for (Eigen::Index j = first_art; j < t.cols(); ++j) phase1[static_cast<size_t>(j)] = 1;
    t.set_objective(phase1);
    t.optimise(t.cols());
    if (t.value() > 1e-7 * (1 + std::fabs(t.value()))) return out;  // infeasible
    // Drive artificials left in the basis (at zero) out where a real column can replace them.
    for (Eigen::Index i = 0; i < m; ++i) {
      if (t.basis()[static_cast<size_t>(i)] < first_art) continue;
      for (Eigen::Index j = 0; j < first_art; ++j)
        if (std::fabs(t.at(i, j)) > kEps) {
          t.pivot(i, j);
          break;
        }
    }
  }
  std::vector<double> phase2(static_cast<size_t>(t.cols()), 0.0);
  for (Eigen::Index j = 0; j < n; ++j) phase2[static_cast<size_t>(j)] = lp.cost[static_cast<size_t>(j)];
  t.set_objective(phase2);
  if (!t.optimise(first_art)) {
    out.status = LpStatus::unbounded;
    return out;
  }
  out.status = LpStatus::optimal;
  out.objective = t.value();
  out.x.assign(static_cast<size_t>(n), 0.0);
  for (Eigen::Index i = 0; i < m; ++i) {
    Eigen::Index b = t.basis()[static_cast<size_t>(i)];
    if (b < n) out.x[static_cast<size_t>(b)] = std::max(0.0, t.rhs(i));
  }
  return out;
}

}  // namespace wf::plan
