//! The anchor: the Temporal dev server's own signal → result latency, measured on an empty
//! workflow parked on `wait_condition`, with a worker in this process.

use std::time::Instant;
use temporalio_client::{Client, WorkflowGetResultOptions, WorkflowHandle, WorkflowSignalOptions, WorkflowStartOptions};
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

pub type Handle = WorkflowHandle<Client, parked::Run>;

/// Runs `scenario` with a worker for [`Parked`] polling beside it in this process.
pub async fn with_worker<T>(
    client: &Client,
    scenario: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let runtime = Runtime::from_current_tokio(Default::default())?;
    let opts = WorkerOptions::new(TASK_QUEUE).register_workflow::<Parked>()?.build();
    let mut worker = Worker::new(&runtime, client.clone(), opts)?;
    let stop = worker.shutdown_handle();
    let (ran, out) = tokio::join!(worker.run(), async {
        let out = scenario.await;
        stop();
        out
    });
    ran?;
    out
}

/// Starts `n` workflows that wait for their signal.
pub async fn park(client: &Client, n: u32, run_id: &str) -> anyhow::Result<Vec<Handle>> {
    let mut handles = Vec::new();
    for i in 0..n {
        let opts = WorkflowStartOptions::new(TASK_QUEUE, format!("bench-parked-{run_id}-{i}")).build();
        handles.push(client.start_workflow(Parked::run, i, opts).await?);
    }
    Ok(handles)
}

/// Signals one parked workflow and waits for its result: milliseconds.
pub async fn release(handle: &Handle) -> anyhow::Result<f64> {
    let t0 = Instant::now();
    handle.signal(Parked::release, true, WorkflowSignalOptions::default()).await?;
    handle.get_result(WorkflowGetResultOptions::default()).await?;
    Ok(t0.elapsed().as_secs_f64() * 1e3)
}
