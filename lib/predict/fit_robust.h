#pragma once
// Robust linear regression: Huber's M-estimator by iteratively reweighted least squares. What the
// per-task models fit in log space, where a few odd executions (a cold cache, a noisy neighbour)
// must not drag the line for everyone else.
#include <Eigen/Dense>

namespace wf::predict {

struct HuberOptions {
  double k = 1.345;        // the tuning constant, in robust standard deviations (95% efficiency)
  int max_iterations = 50;
  double tolerance = 1e-6;  // on the largest change of a fitted value, relative to the residual scale
  // Added to the diagonal of the centred normal equations (× rows), so a feature that does not
  // vary in the rows gets a zero slope instead of a singular system.
  double ridge = 1e-9;
};

struct RobustFit {
  double intercept = 0;
  Eigen::VectorXd slopes;  // one per column of the design
  double scale = 0;        // the final robust residual scale (1.4826 × MAD)
  int iterations = 0;
};

// Fits y ≈ intercept + x·slopes, rows of `x` being observations (at least one row). Deterministic.
// Columns are centred before solving, so features in the 20s (log of bytes) stay well conditioned.
RobustFit fit_huber(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const HuberOptions& options = {});

}  // namespace wf::predict
