//! Generated sensor data for one piece of equipment.
//!
//! The signals are driven by a shared latent load (the operating regime) and the ambient
//! temperature, so the channels are correlated the way a real fan's are; a slow bearing
//! degradation starts part-way through and a handful of anomalies of different kinds are
//! injected after the baseline window. Every detector therefore has something real to find.

use crate::linalg::Matrix;
use crate::rng::{Rng, hash_str};

/// Sensor channels, in column order.
pub const CHANNELS: [&str; 7] = [
    "motor_current_a",
    "fan_speed_rpm",
    "outlet_pressure_kpa",
    "bearing_temp_de_c",
    "bearing_temp_nde_c",
    "vibration_mm_s",
    "ambient_temp_c",
];
pub const CURRENT: usize = 0;
pub const SPEED: usize = 1;
pub const PRESSURE: usize = 2;
pub const BEARING_DE: usize = 3;
pub const BEARING_NDE: usize = 4;
pub const VIBRATION: usize = 5;
pub const AMBIENT: usize = 6;

/// 2024-01-01T00:00:00Z; rows are one minute apart.
pub const START_TS: i64 = 1_704_067_200;
pub const STEP_SECONDS: i64 = 60;
/// Share of the rows after which the bearing starts to degrade.
pub const DEGRADATION_START: f64 = 0.45;
/// Anomalies are only injected after this share of rows, keeping the baseline clean.
const ANOMALY_START: f64 = 0.30;

/// Consecutive sensor rows of one equipment.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorFrame {
    /// Index of the first row in the equipment's whole history.
    pub first_row: usize,
    /// Unix timestamps in seconds, one per row.
    pub ts: Vec<i64>,
    /// One row per timestamp, one column per entry of [`CHANNELS`].
    pub values: Matrix,
}

impl SensorFrame {
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnomalyKind {
    /// Vibration jumps (loose mounting, impact).
    VibrationSpike,
    /// Current rises while speed does not: the current–speed relation breaks.
    CurrentDecoupling,
    /// Drive-end bearing heats up on its own (lubrication loss).
    BearingRunaway,
    /// Vibration becomes much noisier (sensor or coupling fault).
    NoiseBurst,
}

/// An anomaly the generator injected: rows `start .. start + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectedAnomaly {
    pub kind: AnomalyKind,
    pub start: usize,
    pub len: usize,
}

#[derive(Debug, Clone)]
pub struct GeneratedData {
    pub frame: SensorFrame,
    pub anomalies: Vec<InjectedAnomaly>,
}

/// Seed of an equipment's data: different names give different but reproducible histories.
pub fn equipment_seed(equipment: &str, seed: u64) -> u64 {
    hash_str(equipment) ^ seed
}

/// Degradation level in `[0, 1]` at row `i` of `n`: zero, then growing quadratically, the
/// usual shape of bearing wear.
pub fn degradation(i: usize, n: usize) -> f64 {
    let start = DEGRADATION_START * n as f64;
    let i = i as f64;
    if i < start {
        0.0
    } else {
        ((i - start) / (n as f64 - start)).powi(2)
    }
}

/// Generates `rows` minutes of data for `equipment`.
pub fn generate(equipment: &str, rows: usize, seed: u64) -> GeneratedData {
    let mut rng = Rng::new(equipment_seed(equipment, seed));
    let anomalies = plan_anomalies(rows, &mut rng);

    const MODES: [f64; 3] = [0.35, 0.6, 0.9];
    let mut mode = 1usize;
    let mut mode_left = 0usize;
    let mut load = MODES[mode];
    let mut ambient_noise = 0.0;
    let mut values = Matrix::zeros(rows, CHANNELS.len());
    let mut ts = Vec::with_capacity(rows);

    for i in 0..rows {
        if mode_left == 0 {
            mode = (mode + 1 + rng.below(MODES.len() - 1)) % MODES.len();
            mode_left = 240 + rng.below(660);
        }
        mode_left -= 1;
        // First-order lag: regime changes ramp over ~40 minutes instead of jumping.
        load += (MODES[mode] - load) / 40.0 + 0.004 * rng.normal();
        ambient_noise = 0.95 * ambient_noise + 0.1 * rng.normal();
        let day = std::f64::consts::TAU * (i % 1440) as f64 / 1440.0;
        let ambient = 20.0 + 6.0 * (day - 2.0).sin() + ambient_noise;
        let d = degradation(i, rows);

        let row = values.row_mut(i);
        row[CURRENT] = 30.0 + 45.0 * load + 0.8 * rng.normal();
        row[SPEED] = 600.0 + 800.0 * load + 8.0 * rng.normal();
        row[PRESSURE] = 1.0 + 2.5 * load * load + 0.05 * rng.normal();
        row[BEARING_DE] = ambient + 12.0 + 25.0 * load + 1.5 * d + 0.4 * rng.normal();
        row[BEARING_NDE] = ambient + 10.0 + 20.0 * load + 0.6 * d + 0.4 * rng.normal();
        row[VIBRATION] = 1.5 + 2.0 * load + 0.4 * d + 0.15 * (1.0 + d) * rng.normal();
        row[AMBIENT] = ambient;
        ts.push(START_TS + i as i64 * STEP_SECONDS);
    }

    for a in &anomalies {
        inject(&mut values, a, &mut rng);
    }
    GeneratedData {
        frame: SensorFrame {
            first_row: 0,
            ts,
            values,
        },
        anomalies,
    }
}

/// Non-overlapping anomaly windows, one per equal slot of the post-baseline rows.
fn plan_anomalies(rows: usize, rng: &mut Rng) -> Vec<InjectedAnomaly> {
    const KINDS: [AnomalyKind; 4] = [
        AnomalyKind::VibrationSpike,
        AnomalyKind::CurrentDecoupling,
        AnomalyKind::BearingRunaway,
        AnomalyKind::NoiseBurst,
    ];
    let first = (ANOMALY_START * rows as f64) as usize;
    let last = rows - rows / 30;
    let count = (rows / 2_500).clamp(3, 40);
    let slot = (last - first) / count;
    (0..count)
        .map(|k| {
            let len = (30 + rng.below(91)).min(slot / 2);
            let start = first + k * slot + rng.below(slot - len);
            InjectedAnomaly {
                kind: KINDS[k % KINDS.len()],
                start,
                len,
            }
        })
        .collect()
}

fn inject(values: &mut Matrix, a: &InjectedAnomaly, rng: &mut Rng) {
    for (step, i) in (a.start..a.start + a.len).enumerate() {
        let progress = (step + 1) as f64 / a.len as f64;
        let row = values.row_mut(i);
        match a.kind {
            AnomalyKind::VibrationSpike => row[VIBRATION] += 3.0,
            AnomalyKind::CurrentDecoupling => row[CURRENT] += 8.0,
            AnomalyKind::BearingRunaway => row[BEARING_DE] += 12.0 * progress,
            AnomalyKind::NoiseBurst => row[VIBRATION] += 1.2 * rng.normal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let (ma, mb) = (crate::stats::mean(a), crate::stats::mean(b));
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn deterministic_per_equipment() {
        let a = generate("FD_FAN", 2_000, 1);
        let b = generate("FD_FAN", 2_000, 1);
        let c = generate("ID_FAN", 2_000, 1);
        assert_eq!(a.frame, b.frame);
        assert_ne!(a.frame.values, c.frame.values);
    }

    #[test]
    fn channels_are_correlated_through_load() {
        let g = generate("FD_FAN", 5_000, 3);
        let v = &g.frame.values;
        assert!(correlation(&v.col(CURRENT), &v.col(SPEED)) > 0.95);
        assert!(correlation(&v.col(SPEED), &v.col(PRESSURE)) > 0.9);
        assert_eq!(g.frame.ts[1] - g.frame.ts[0], STEP_SECONDS);
    }

    #[test]
    fn anomalies_avoid_baseline_and_do_not_overlap() {
        let rows = 20_000;
        let g = generate("FD_FAN", rows, 9);
        assert!(g.anomalies.len() >= 3);
        let mut prev_end = (ANOMALY_START * rows as f64) as usize;
        for a in &g.anomalies {
            assert!(a.start >= prev_end && a.len >= 30, "{a:?}");
            prev_end = a.start + a.len;
        }
        assert!(prev_end <= rows);
    }

    #[test]
    fn degradation_grows_late() {
        let n = 1_000;
        assert_eq!(degradation(0, n), 0.0);
        assert_eq!(degradation(449, n), 0.0);
        assert!(degradation(800, n) > degradation(600, n));
        assert!((degradation(999, n) - 1.0).abs() < 0.01);
    }
}
