#include "predict/memsize_regression.h"

#include <cmath>

#include "util/error.h"

namespace wf::predict {

OnlineRegression::OnlineRegression(int features)
    : features_(features),
      mean_(Eigen::VectorXd::Zero(features + 1)),
      comoment_(Eigen::MatrixXd::Zero(features + 1, features + 1)) {
  if (features < 1) fail(util::Exit::software, "OnlineRegression: needs at least one feature, got {}", features);
}

void OnlineRegression::add(std::span<const double> x, double y, double weight) {
  if (static_cast<int>(x.size()) != features_ || !(weight > 0))
    fail(util::Exit::software, "OnlineRegression::add: {} features with weight {}, expected {} and > 0", x.size(),
         weight, features_);
  Eigen::VectorXd z(features_ + 1);
  for (int i = 0; i < features_; ++i) z(i) = x[static_cast<size_t>(i)];
  z(features_) = y;
  weight_ += weight;
  ++count_;
  Eigen::VectorXd before = z - mean_;
  mean_ += (weight / weight_) * before;
  comoment_ += weight * before * (z - mean_).transpose();
}

std::optional<OnlineRegression::Fit> OnlineRegression::fit() const {
  if (count_ == 0) return std::nullopt;
  Fit f;
  f.slopes = Eigen::VectorXd::Zero(features_);
  // Only features that vary take part; the rest are absorbed by the intercept.
  std::vector<int> live;
  for (int i = 0; i < features_; ++i) {
    double var = comoment_(i, i) / weight_;
    double scale = std::max(std::abs(mean_(i)), 1.0);
    if (var > 1e-18 * scale * scale) live.push_back(i);
  }
  if (!live.empty()) {
    const auto k = static_cast<Eigen::Index>(live.size());
    Eigen::MatrixXd a(k, k);
    Eigen::VectorXd b(k);
    for (Eigen::Index r = 0; r < k; ++r) {
      for (Eigen::Index c = 0; c < k; ++c) a(r, c) = comoment_(live[r], live[c]);
      b(r) = comoment_(live[r], features_);
    }
    Eigen::VectorXd beta = a.ldlt().solve(b);
    if (beta.allFinite())
      for (Eigen::Index r = 0; r < k; ++r) f.slopes(live[r]) = beta(r);
  }
  f.intercept = mean_(features_) - f.slopes.dot(mean_.head(features_));
  return f;
}

std::optional<double> OnlineRegression::predict(std::span<const double> x) const {
  auto f = fit();
  if (!f) return std::nullopt;
  double y = f->intercept;
  for (int i = 0; i < features_; ++i) y += f->slopes(i) * x[static_cast<size_t>(i)];
  return y;
}

}  // namespace wf::predict
