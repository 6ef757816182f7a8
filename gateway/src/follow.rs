//! Following a workflow a REST call started: running (with its `progress` query's answer),
//! completed (with its result) or failed (with the failure's own message). One place, so every
//! long step — analysis, breakdown — answers its GET the same way.

use crate::{error::ApiError, server::AppState};
use temporalio_client::{
    WorkflowDescribeOptions, WorkflowExecutionStatus, WorkflowGetResultOptions, WorkflowQueryOptions,
    errors::{WorkflowGetResultError, WorkflowInteractionError},
};
use temporalio_common::error::IncomingError;
use temporalio_common::{HasWorkflowDefinition, QueryDefinition};

pub enum Followed<R, P> {
    Running(Option<P>),
    Completed(R),
    Failed { error: String, progress: Option<P> },
}

/// The state of workflow `id`; `what` names it in a 404 ("analysis … of project …").
pub async fn follow<W, Q>(st: &AppState, id: String, progress: Q, what: &str) -> Result<Followed<W::Output, Q::Output>, ApiError>
where
    W: HasWorkflowDefinition,
    Q: QueryDefinition<Workflow = W::Run, Input = ()>,
{
    let handle = st.temporal.get_workflow_handle::<W>(id);
    let description = match handle.describe(WorkflowDescribeOptions::default()).await {
        Ok(d) => d,
        Err(WorkflowInteractionError::NotFound(_)) => return Err(ApiError::NotFound(format!("{what} does not exist"))),
        Err(e) => return Err(ApiError::Unavailable(format!("could not look up {what}: {e}"))),
    };
    let progress = handle.query(progress, (), WorkflowQueryOptions::default()).await.ok();
    if description.status() == WorkflowExecutionStatus::Running {
        return Ok(Followed::Running(progress));
    }
    match handle.get_result(WorkflowGetResultOptions::default()).await {
        Ok(result) => Ok(Followed::Completed(result)),
        Err(WorkflowGetResultError::Failed(failure)) => {
            let error = match *failure {
                IncomingError::Application(a) => a.to_string(),
                other => other.to_string(),
            };
            Ok(Followed::Failed { error, progress })
        }
        Err(other) => Ok(Followed::Failed { error: other.to_string(), progress }),
    }
}
