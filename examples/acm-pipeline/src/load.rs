//! Loading: the equipment's sensor history lives in SQLite. On first use (or when the
//! requested size changed) it is generated and written; every run then reads its windows
//! back with SQL, so `load.data` is real I/O.

use acm_trace::acm_span;
use rusqlite::{Connection, TransactionBehavior};

use crate::config::Config;
use crate::data::{self, CHANNELS, GeneratedData, SensorFrame};
use crate::db;
use crate::error::{PipelineError, SqlContext};
use crate::linalg::Matrix;
use crate::startup::Session;

/// The two windows a batch works on.
#[derive(Debug, Clone)]
pub struct LoadedData {
    /// The healthy start of the history that the models are fit on.
    pub baseline: SensorFrame,
    /// This batch's rows, which are scored.
    pub batch: SensorFrame,
    /// Whether this call generated and wrote the history.
    pub generated: bool,
}

impl LoadedData {
    /// The same windows cut straight from generated data, for tests that skip SQLite.
    pub fn from_generated(g: &GeneratedData, baseline_rows: usize, batch: (usize, usize)) -> Self {
        let cut = |start: usize, end: usize| SensorFrame {
            first_row: start,
            ts: g.frame.ts[start..end].to_vec(),
            values: g
                .frame
                .values
                .select_rows(&(start..end).collect::<Vec<_>>()),
        };
        Self {
            baseline: cut(0, baseline_rows),
            batch: cut(batch.0, batch.1),
            generated: false,
        }
    }
}

/// Makes sure the history exists, then reads the baseline and the batch's rows.
///
/// Span: `load.data`
#[acm_span("load.data")]
pub fn load_data(cfg: &Config, session: &mut Session) -> Result<LoadedData, PipelineError> {
    cfg.fail_point("load.data")?;
    let generated = ensure_history(cfg, session)?;
    let baseline_rows = cfg.baseline_rows();
    let (start, end) = cfg.batch_range(session.batch_num);
    let baseline = read_rows(&session.conn, session.equip_id, 0, baseline_rows)?;
    let batch = read_rows(&session.conn, session.equip_id, start, end)?;
    for (frame, want) in [(&baseline, baseline_rows), (&batch, end - start)] {
        if frame.len() != want {
            return Err(PipelineError::InsufficientData {
                stage: "load.data",
                needed: want,
                got: frame.len(),
            });
        }
    }
    Ok(LoadedData {
        baseline,
        batch,
        generated,
    })
}

/// Writes the generated history unless the database already holds it for this size and seed.
fn ensure_history(cfg: &Config, session: &mut Session) -> Result<bool, PipelineError> {
    // IMMEDIATE takes the write lock up front, so two runs starting together cannot both
    // decide to generate.
    let tx = session
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .sql("begin the history transaction")?;
    let stored: Option<(i64, i64)> = tx
        .query_row(
            "SELECT n_rows, seed FROM dataset WHERE equip_id = ?1",
            [session.equip_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .sql("read the dataset record")?;
    // SQLite integers are signed; the seed is stored by its bit pattern.
    let seed_bits = cfg.seed as i64;
    if stored == Some((cfg.rows as i64, seed_bits)) {
        return Ok(false);
    }
    let g = data::generate(cfg.equipment.trim(), cfg.rows, cfg.seed);
    tx.execute(
        "DELETE FROM sensor_data WHERE equip_id = ?1",
        [session.equip_id],
    )
    .sql("clear the old history")?;
    let rows: Vec<usize> = (0..g.frame.len()).collect();
    let equip_id = session.equip_id;
    db::insert_chunked(
        cfg,
        &tx,
        "sensor_data",
        "INSERT INTO sensor_data (equip_id, row_idx, ts, motor_current_a, fan_speed_rpm,
             outlet_pressure_kpa, bearing_temp_de_c, bearing_temp_nde_c, vibration_mm_s,
             ambient_temp_c)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &rows,
        |stmt, &i| {
            let v = g.frame.values.row(i);
            stmt.execute((
                equip_id,
                i as i64,
                g.frame.ts[i],
                v[0],
                v[1],
                v[2],
                v[3],
                v[4],
                v[5],
                v[6],
            ))
        },
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO dataset (equip_id, n_rows, seed, generated_at) VALUES (?1, ?2, ?3, ?4)",
        (equip_id, cfg.rows as i64, seed_bits, db::now_unix()),
    )
    .sql("record the dataset")?;
    tx.commit().sql("commit the history")?;
    Ok(true)
}

/// Rows `[start, end)` of an equipment's history, in time order.
pub fn read_rows(
    conn: &Connection,
    equip_id: i64,
    start: usize,
    end: usize,
) -> Result<SensorFrame, PipelineError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT ts, motor_current_a, fan_speed_rpm, outlet_pressure_kpa, bearing_temp_de_c,
                    bearing_temp_nde_c, vibration_mm_s, ambient_temp_c
             FROM sensor_data
             WHERE equip_id = ?1 AND row_idx >= ?2 AND row_idx < ?3
             ORDER BY row_idx",
        )
        .sql("prepare the sensor query")?;
    let mut ts = Vec::with_capacity(end.saturating_sub(start));
    let mut values = Vec::with_capacity(ts.capacity() * CHANNELS.len());
    let mut rows = stmt
        .query((equip_id, start as i64, end as i64))
        .sql("query sensor rows")?;
    while let Some(row) = rows.next().sql("read a sensor row")? {
        ts.push(row.get::<_, i64>(0).sql("read a timestamp")?);
        for c in 0..CHANNELS.len() {
            values.push(row.get::<_, f64>(c + 1).sql("read a sensor value")?);
        }
    }
    let values = Matrix::from_vec(ts.len(), CHANNELS.len(), values).ok_or_else(|| {
        PipelineError::Numerical {
            stage: "load.data",
            reason: "ragged sensor rows".to_owned(),
        }
    })?;
    Ok(SensorFrame {
        first_row: start,
        ts,
        values,
    })
}
