//! Health forecast: a health index from the fused score, a linear degradation trend over the
//! recent past, and the remaining useful life until the trend reaches the failure level.

use crate::config::Config;
use crate::error::PipelineError;
use acm_trace::acm_span;

const SECONDS_PER_HOUR: f64 = 3_600.0;

/// Health in `[0, 100]`: 100 when the fused score is at or below its healthy median, 50 at a
/// fused z of 3, falling towards 0 as it grows.
pub fn health_index(fused: f64) -> f64 {
    let x = fused.max(0.0) / 3.0;
    100.0 / (1.0 + x * x)
}

/// Health aggregated per bucket of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthSeries {
    /// Hours since the batch's first row, at each bucket's centre.
    pub t_hours: Vec<f64>,
    /// Median health of each bucket: robust to short anomalies, so the trend follows wear.
    pub health: Vec<f64>,
    /// Timestamp of the batch's first row (seconds).
    pub t0: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Degradation {
    /// Health points per hour (negative = degrading).
    pub slope: f64,
    pub intercept: f64,
    pub slope_stderr: f64,
    pub r2: f64,
    pub n_points: usize,
    /// Hours since `t0` of the batch's last row, and the trend's health there.
    pub t_now: f64,
    pub health_now: f64,
    pub t0: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulStatus {
    /// Health falls; the failure level is ahead.
    Degrading,
    /// No downward trend: no finite estimate.
    Stable,
    /// Health is already at or below the failure level.
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RulEstimate {
    pub status: RulStatus,
    /// Hours from the last row until the trend reaches the failure level.
    pub hours: Option<f64>,
    /// Range from the slope ± 2 standard errors; `upper` is `None` when the shallow end of the
    /// range is not degrading at all.
    pub lower_hours: Option<f64>,
    pub upper_hours: Option<f64>,
    /// Predicted failure time (seconds).
    pub failure_ts: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub series: HealthSeries,
    pub degradation: Degradation,
    pub rul: RulEstimate,
}

/// Builds the health series and forecasts the remaining useful life.
///
/// Span: `forecast.run`
#[acm_span("forecast.run")]
pub fn run_forecast(cfg: &Config, fused: &[f64], ts: &[i64]) -> Result<Forecast, PipelineError> {
    cfg.fail_point("forecast.run")?;
    let series = health_series(fused, ts, cfg.tuning.forecast_bucket)?;
    let degradation = fit_degradation(cfg, &series, *ts.last().unwrap_or(&series.t0))?;
    let rul = estimate_rul(cfg, &degradation)?;
    Ok(Forecast {
        series,
        degradation,
        rul,
    })
}

/// Bucketed median health of `fused` (one value per row at times `ts`).
pub fn health_series(
    fused: &[f64],
    ts: &[i64],
    bucket: usize,
) -> Result<HealthSeries, PipelineError> {
    if fused.len() != ts.len() || fused.is_empty() || bucket == 0 {
        return Err(PipelineError::Numerical {
            stage: "forecast.run",
            reason: format!(
                "{} scores for {} timestamps (bucket {bucket})",
                fused.len(),
                ts.len()
            ),
        });
    }
    let t0 = ts[0];
    let mut t_hours = Vec::new();
    let mut health = Vec::new();
    for (f, t) in fused.chunks(bucket).zip(ts.chunks(bucket)) {
        let h: Vec<f64> = f.iter().map(|&v| health_index(v)).collect();
        let mid = (t[0] + t[t.len() - 1]) as f64 / 2.0;
        t_hours.push((mid - t0 as f64) / SECONDS_PER_HOUR);
        health.push(crate::stats::median(&h));
    }
    Ok(HealthSeries {
        t_hours,
        health,
        t0,
    })
}

/// Least-squares line through the most recent share of the health series.
///
/// Span: `forecast.fit_degradation`
#[acm_span("forecast.fit_degradation")]
pub fn fit_degradation(
    cfg: &Config,
    series: &HealthSeries,
    last_ts: i64,
) -> Result<Degradation, PipelineError> {
    cfg.fail_point("forecast.fit_degradation")?;
    let n_all = series.health.len();
    let n = ((n_all as f64 * cfg.tuning.forecast_recent_fraction).ceil() as usize)
        .clamp(3.min(n_all), n_all);
    if n < 3 {
        return Err(PipelineError::InsufficientData {
            stage: "forecast.fit_degradation",
            needed: 3,
            got: n,
        });
    }
    let t = &series.t_hours[n_all - n..];
    let h = &series.health[n_all - n..];
    let fit = linear_fit(t, h).ok_or_else(|| PipelineError::Numerical {
        stage: "forecast.fit_degradation",
        reason: "the health points have no spread in time".to_owned(),
    })?;
    let t_now = (last_ts - series.t0) as f64 / SECONDS_PER_HOUR;
    Ok(Degradation {
        slope: fit.slope,
        intercept: fit.intercept,
        slope_stderr: fit.slope_stderr,
        r2: fit.r2,
        n_points: n,
        t_now,
        health_now: (fit.intercept + fit.slope * t_now).clamp(0.0, 100.0),
        t0: series.t0,
    })
}

/// Time until the degradation trend reaches the failure health level.
///
/// Span: `forecast.estimate_rul`
#[acm_span("forecast.estimate_rul")]
pub fn estimate_rul(cfg: &Config, d: &Degradation) -> Result<RulEstimate, PipelineError> {
    cfg.fail_point("forecast.estimate_rul")?;
    let failure = cfg.tuning.failure_health;
    let none = |status| RulEstimate {
        status,
        hours: None,
        lower_hours: None,
        upper_hours: None,
        failure_ts: None,
    };
    if d.health_now <= failure {
        let now_ts = d.t0 + (d.t_now * SECONDS_PER_HOUR) as i64;
        return Ok(RulEstimate {
            hours: Some(0.0),
            lower_hours: Some(0.0),
            upper_hours: Some(0.0),
            failure_ts: Some(now_ts),
            ..none(RulStatus::Failed)
        });
    }
    // A slope smaller than this loses less than one health point a year: call it stable.
    const STABLE_SLOPE: f64 = -1.0 / (365.0 * 24.0);
    let hours_at = |slope: f64| (slope < STABLE_SLOPE).then(|| (failure - d.health_now) / slope);
    let Some(hours) = hours_at(d.slope) else {
        return Ok(none(RulStatus::Stable));
    };
    Ok(RulEstimate {
        status: RulStatus::Degrading,
        hours: Some(hours),
        lower_hours: hours_at(d.slope - 2.0 * d.slope_stderr),
        upper_hours: hours_at(d.slope + 2.0 * d.slope_stderr),
        failure_ts: Some(d.t0 + ((d.t_now + hours) * SECONDS_PER_HOUR) as i64),
    })
}

struct LinearFit {
    slope: f64,
    intercept: f64,
    slope_stderr: f64,
    r2: f64,
}

fn linear_fit(x: &[f64], y: &[f64]) -> Option<LinearFit> {
    let n = x.len() as f64;
    let (mx, my) = (crate::stats::mean(x), crate::stats::mean(y));
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (b - intercept - slope * a).powi(2))
        .sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    let r2 = if syy > 0.0 { 1.0 - sse / syy } else { 1.0 };
    let slope_stderr = if n > 2.0 {
        (sse / (n - 2.0) / sxx).sqrt()
    } else {
        0.0
    };
    Some(LinearFit {
        slope,
        intercept,
        slope_stderr,
        r2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear_series(h0: f64, slope: f64, points: usize) -> HealthSeries {
        HealthSeries {
            t_hours: (0..points).map(|i| i as f64).collect(),
            health: (0..points).map(|i| h0 + slope * i as f64).collect(),
            t0: 1_000_000,
        }
    }

    #[test]
    fn health_index_shape() {
        assert_eq!(health_index(-2.0), 100.0);
        assert_eq!(health_index(0.0), 100.0);
        assert_eq!(health_index(3.0), 50.0);
        assert!(health_index(10.0) < 10.0);
    }

    #[test]
    fn rul_of_known_linear_trend() {
        let mut cfg = Config::default();
        cfg.tuning.failure_health = 20.0;
        cfg.tuning.forecast_recent_fraction = 1.0;
        // Health 100 − 0.5·t over 40 h; at t = 39 h it is 80.5, so 20 is reached 121 h later.
        let s = linear_series(100.0, -0.5, 40);
        let d = fit_degradation(&cfg, &s, s.t0 + 39 * 3_600).unwrap();
        assert!((d.slope + 0.5).abs() < 1e-12 && (d.r2 - 1.0).abs() < 1e-12);
        assert!((d.health_now - 80.5).abs() < 1e-9);
        let r = estimate_rul(&cfg, &d).unwrap();
        assert_eq!(r.status, RulStatus::Degrading);
        assert!((r.hours.unwrap() - 121.0).abs() < 1e-9);
        // A perfect fit has no uncertainty.
        assert!((r.lower_hours.unwrap() - 121.0).abs() < 1e-6);
        assert_eq!(r.failure_ts, Some(s.t0 + (39 + 121) * 3_600));
    }

    #[test]
    fn flat_trend_is_stable_and_low_health_is_failed() {
        let cfg = Config::default();
        let d =
            fit_degradation(&cfg, &linear_series(90.0, 0.0, 20), 1_000_000 + 19 * 3_600).unwrap();
        assert_eq!(estimate_rul(&cfg, &d).unwrap().status, RulStatus::Stable);
        let d =
            fit_degradation(&cfg, &linear_series(15.0, -0.1, 20), 1_000_000 + 19 * 3_600).unwrap();
        let r = estimate_rul(&cfg, &d).unwrap();
        assert_eq!((r.status, r.hours), (RulStatus::Failed, Some(0.0)));
    }

    #[test]
    fn recent_fraction_ignores_the_healthy_past() {
        let mut cfg = Config::default();
        cfg.tuning.forecast_recent_fraction = 0.5;
        // Flat at 100 for 20 h, then −2/h for 20 h: only the second half counts.
        let mut s = linear_series(100.0, 0.0, 40);
        for i in 20..40 {
            s.health[i] = 100.0 - 2.0 * (i - 19) as f64;
        }
        let d = fit_degradation(&cfg, &s, s.t0 + 39 * 3_600).unwrap();
        assert_eq!(d.n_points, 20);
        assert!((d.slope + 2.0).abs() < 1e-9);
    }

    #[test]
    fn series_buckets_use_medians() {
        let fused = [0.0, 0.0, 30.0, 3.0, 3.0, 3.0, 0.0];
        let ts: Vec<i64> = (0..7).map(|i| i * 60).collect();
        let s = health_series(&fused, &ts, 3).unwrap();
        assert_eq!(s.health, vec![100.0, 50.0, 100.0]);
        assert_eq!(s.t_hours[0], 60.0 / 3_600.0);
        assert!(health_series(&fused, &ts[..3], 3).is_err());
    }

    #[test]
    fn too_few_points_is_an_error() {
        let cfg = Config::default();
        let e = fit_degradation(&cfg, &linear_series(90.0, -1.0, 2), 0).unwrap_err();
        assert!(matches!(e, PipelineError::InsufficientData { .. }));
    }
}
