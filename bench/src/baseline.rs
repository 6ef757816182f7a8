//! The anchor: the Temporal dev server's own signal → result latency, measured on an empty
//! workflow parked on `wait_condition`, with a worker in this process.

use crate::Sample;
use std::time::{Duration, Instant};
use temporalio_client::{Client, WorkflowGetResultOptions, WorkflowSignalOptions, WorkflowStartOptions};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{Runtime, SyncWorkflowContext, Worker, WorkerOptions, WorkflowContext, WorkflowResult};

const TASK_QUEUE: &str = "miri-bench-baseline";

#[workflow]
#[derive(Default)]
pub struct Parked {
    released: bool,
}

#[workflow_methods]
impl Parked {
    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>, _index: u32) -> WorkflowResult<()> {
        ctx.wait_condition(|s| s.released).await?;
        Ok(())
    }

    #[signal]
    pub fn release(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _now: bool) {
        self.released = true;
    }
}

/// Starts `n` parked workflows, then for each in turn: signal, wait for its result.
pub async fn measure(client: Client, n: u32, run_id: &str) -> anyhow::Result<Vec<Sample>> {
    let runtime = Runtime::from_current_tokio(Default::default())?;
    let opts = WorkerOptions::new(TASK_QUEUE).register_workflow::<Parked>()?.build();
    let mut worker = Worker::new(&runtime, client.clone(), opts)?;
    let stop = worker.shutdown_handle();
    let scenario = async {
        let mut handles = Vec::new();
        for i in 0..n {
            let opts = WorkflowStartOptions::new(TASK_QUEUE, format!("bench-parked-{run_id}-{i}")).build();
            handles.push(client.start_workflow(Parked::run, i, opts).await?);
        }
        // Let every workflow reach its wait before the first signal.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut samples = Vec::new();
        for (i, h) in handles.iter().enumerate() {
            let t0 = Instant::now();
            h.signal(Parked::release, true, WorkflowSignalOptions::default()).await?;
            h.get_result(WorkflowGetResultOptions::default()).await?;
            samples.push(Sample { index: i, ms: t0.elapsed().as_secs_f64() * 1e3 });
        }
        anyhow::Ok(samples)
    };
    let (ran, samples) = tokio::join!(worker.run(), async {
        let r = scenario.await;
        stop();
        r
    });
    ran?;
    samples
}
