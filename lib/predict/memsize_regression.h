#pragma once
// Weighted least squares of y on a few features with an intercept, updated one observation at a
// time in O(k^2) and solvable after every update: what the online sizers refit after each task.
//
// It keeps the weighted means and the centred co-moment matrix of (features, y) (West's weighted
// form of Welford's update), so it stays accurate when features are in the 1e10 range, where plain
// normal equations lose every digit.
#include <optional>
#include <span>

#include <Eigen/Dense>

namespace wf::predict {

class OnlineRegression {
 public:
  explicit OnlineRegression(int features = 1);

  // Adds one observation with weight `weight` > 0.
  void add(std::span<const double> x, double y, double weight = 1.0);

  int features() const { return features_; }
  double total_weight() const { return weight_; }
  size_t count() const { return count_; }
  double mean_y() const { return mean_(features_); }

  // The fitted prediction at `x`. Features whose spread is negligible (constant so far) get a zero
  // coefficient, so a category whose inputs never vary predicts its mean. nullopt before any add().
  std::optional<double> predict(std::span<const double> x) const;

  // Intercept and coefficients, fitted now.
  struct Fit {
    double intercept = 0;
    Eigen::VectorXd slopes;
  };
  std::optional<Fit> fit() const;

 private:
  int features_;
  size_t count_ = 0;
  double weight_ = 0;
  Eigen::VectorXd mean_;     // features_ + 1 entries: feature means, then the mean of y
  Eigen::MatrixXd comoment_; // (features_ + 1)^2, weighted sums of centred cross products
};

}  // namespace wf::predict
