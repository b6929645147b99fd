#include "predict/fit_robust.h"

#include <cmath>
#include <vector>

#include "predict/fit_quantiles.h"

namespace wf::predict {
namespace {

// 1.4826 × the median absolute residual: the normal-consistent robust scale.
double robust_scale(const Eigen::VectorXd& r) {
  std::vector<double> a(static_cast<size_t>(r.size()));
  for (Eigen::Index i = 0; i < r.size(); ++i) a[static_cast<size_t>(i)] = std::abs(r(i));
  return 1.4826 * median(std::move(a));
}

// Weighted least squares on centred columns: returns (intercept, slopes).
void solve_weighted(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& w, double ridge,
                    RobustFit& fit) {
  double wsum = w.sum();
  Eigen::RowVectorXd xmean = (w.transpose() * x) / wsum;
  double ymean = w.dot(y) / wsum;
  Eigen::MatrixXd xc = x.rowwise() - xmean;
  Eigen::VectorXd yc = y.array() - ymean;
  Eigen::MatrixXd a = xc.transpose() * w.asDiagonal() * xc;
  a.diagonal().array() += ridge * static_cast<double>(x.rows());
  Eigen::VectorXd b = xc.transpose() * (w.asDiagonal() * yc);
  fit.slopes = a.ldlt().solve(b);
  fit.intercept = ymean - xmean.dot(fit.slopes);
}

}  // namespace

RobustFit fit_huber(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const HuberOptions& options) {
  RobustFit fit;
  Eigen::VectorXd w = Eigen::VectorXd::Ones(y.size());
  solve_weighted(x, y, w, options.ridge, fit);
  for (int it = 1; it <= options.max_iterations; ++it) {
    fit.iterations = it;
    Eigen::VectorXd r = y - ((x * fit.slopes).array() + fit.intercept).matrix();
    fit.scale = robust_scale(r);
    // Half or more of the rows fit exactly: nothing left for a reweighting to do.
    if (fit.scale <= 1e-12) break;
    double cut = options.k * fit.scale;
    for (Eigen::Index i = 0; i < r.size(); ++i) w(i) = std::abs(r(i)) <= cut ? 1.0 : cut / std::abs(r(i));
    double intercept_before = fit.intercept;
    Eigen::VectorXd slopes_before = fit.slopes;
    solve_weighted(x, y, w, options.ridge, fit);
    // Converged when no fitted value moved by more than a sliver of the residual scale: a test in
    // the units of y, whatever the units of each feature.
    Eigen::ArrayXd moved = (x * (fit.slopes - slopes_before)).array() + (fit.intercept - intercept_before);
    if (moved.abs().maxCoeff() <= options.tolerance * fit.scale) break;
  }
  return fit;
}

}  // namespace wf::predict
