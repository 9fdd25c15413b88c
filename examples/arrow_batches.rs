//! Collect normalized events into Arrow `RecordBatch`es, ready for DataFusion, Polars or an
//! Arrow IPC / Parquet writer of your own.
//!
//! ```sh
//! cargo run --example arrow_batches
//! ```

use normalog::sink::arrow::RecordBatchBuilder;
use normalog::sink::arrow_array::Array;
use normalog::{NormalizerBuilder, Registry};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::builtin();
    // An unknown log type's error names the loaded ones and the one meant.
    let plan = registry.lookup("Zoom.Activity")?;
    let mut normalizer = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)?;
    // The builder is a Sink: push records into it, take a batch whenever you like.
    let mut batch = RecordBatchBuilder::new(plan);
    // Any reader: a borrowed slice here, a `&mut File`, `io::stdin().lock()`.
    let input: &[u8] = include_bytes!("../tests/data/samples/zoom_activity.jsonl");
    let summary = normalog::pipeline::normalize_reader(&mut normalizer, input, &mut batch)?;
    let batch = batch.finish()?;
    println!("{} records -> {} rows", summary.records, batch.num_rows());
    for field in batch.schema().fields() {
        println!("  {}: {}", field.name(), field.data_type());
    }
    let ips = batch
        .column_by_name("p_any_ip_addresses")
        .ok_or("no indicator column")?;
    println!("p_any_ip_addresses nulls: {}", ips.null_count());
    Ok(())
}
