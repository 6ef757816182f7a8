//! The gRPC surface (issue 9 item 1) against a running stack, on the gateway's own port: server
//! reflection lists the services; a shot is generated, approved and its versions listed over
//! gRPC while REST sees the same shot; every refusal carries the status code REST's answer maps
//! to, with the same message; calls without a valid token are UNAUTHENTICATED and a viewer's
//! approval is PERMISSION_DENIED; a token that is no member of the project finds nothing.

use miri_gateway::grpc::proto::{
    BreakdownRef, ConversationRef, CreateConversationRequest, ListConversationsRequest, ListProjectsRequest, ListRendersRequest,
    ListScenesRequest, ListScriptsRequest, ListShotsRequest, RefineRequest, RejectRequest, RenderRef, SayRequest, ShotRef,
    StartBreakdownRequest, StartRenderRequest, WatchProjectRequest, chat_client::ChatClient, projects_client::ProjectsClient,
    renders_client::RendersClient, scenes_client::ScenesClient, shots_client::ShotsClient,
};
use miri_testkit::{Stack, StackOptions};
use std::time::Duration;
use tonic::{Code, Request, metadata::MetadataValue, transport::Channel};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient, server_reflection_request::MessageRequest,
    server_reflection_response::MessageResponse,
};

const WITHIN: Duration = Duration::from_secs(90);

fn authed<T>(token: &str, message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", MetadataValue::try_from(format!("Bearer {token}")).unwrap());
    request
}

fn shot(id: &str) -> ShotRef {
    ShotRef { shot_id: id.to_string() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shots_are_driven_over_grpc_through_the_same_service_layer() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = stack.create_project("grpc").await?;
    let id = stack.create_shot(&project, 0, 3000).await?;
    let channel = Channel::from_shared(stack.http.clone())?.connect().await?;
    let token = stack.token.clone();

    let mut reflection = ServerReflectionClient::new(channel.clone());
    let ask = ServerReflectionRequest { host: String::new(), message_request: Some(MessageRequest::ListServices(String::new())) };
    let mut answers = reflection.server_reflection_info(tokio_stream::once(ask)).await?.into_inner();
    let Some(MessageResponse::ListServicesResponse(listed)) = answers.message().await?.and_then(|r| r.message_response) else {
        panic!("reflection lists the services");
    };
    let names: Vec<String> = listed.service.into_iter().map(|s| s.name).collect();
    for want in ["miri.v1.Shots", "miri.v1.Projects", "miri.v1.Renders", "miri.v1.Scenes", "miri.v1.Chat"] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }

    let mut projects = ProjectsClient::new(channel.clone());
    let listed = projects.list_projects(authed(&token, ListProjectsRequest {})).await?.into_inner();
    assert!(listed.projects.iter().any(|p| p.project_id == project && p.name == "grpc"), "{listed:?}");
    let unauthenticated = projects.list_projects(Request::new(ListProjectsRequest {})).await.unwrap_err();
    assert_eq!(unauthenticated.code(), Code::Unauthenticated);
    assert_eq!(projects.list_projects(authed("0".repeat(64).as_str(), ListProjectsRequest {})).await.unwrap_err().code(), Code::Unauthenticated);

    let mut shots = ShotsClient::new(channel.clone());
    let listed = shots.list_shots(authed(&token, ListShotsRequest { project_id: project.clone() })).await?.into_inner();
    assert_eq!(listed.shots.iter().map(|s| (s.shot_id.as_str(), s.status.as_str(), s.end_ms)).collect::<Vec<_>>(), [(id.as_str(), "DRAFT", 3000)]);
    let early = shots.approve(authed(&token, shot(&id))).await.unwrap_err();
    assert_eq!(early.code(), Code::FailedPrecondition, "{early:?}");
    let (_, rest) = stack.post(&format!("/api/shots/{id}/approve"), serde_json::json!({})).await?;
    assert_eq!(early.message(), rest["error"]["message"], "one service layer, one message");

    // Watched from before the shot moves: every change arrives on the stream.
    let mut watched = projects.watch_project(authed(&token, WatchProjectRequest { project_id: project.clone() })).await?.into_inner();
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(event)) = watched.message().await {
            let _ = seen_tx.send((event.name, serde_json::from_str::<serde_json::Value>(&event.json).unwrap_or_default()));
        }
    });
    let missing = projects.watch_project(authed(&token, WatchProjectRequest { project_id: uuid::Uuid::new_v4().to_string() })).await;
    assert_eq!(missing.unwrap_err().code(), Code::NotFound);

    let generated = shots.generate(authed(&token, shot(&id))).await?.into_inner();
    assert_eq!((generated.shot_id.as_str(), generated.workflow_id.clone()), (id.as_str(), format!("shot:{id}")));
    stack.wait_status(&id, "AWAITING_APPROVAL", WITHIN).await?;

    let viewer = stack.key(&project, "viewer", "a viewer key").await?;
    let denied = shots.approve(authed(&viewer, shot(&id))).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied, "{denied:?}");
    // A studio token that is no member of the project sees neither it nor its shots.
    let outsider = stack.token("editor").await?;
    assert!(projects.list_projects(authed(&outsider, ListProjectsRequest {})).await?.into_inner().projects.is_empty());
    assert_eq!(shots.get_shot(authed(&outsider, shot(&id))).await.unwrap_err().code(), Code::NotFound);
    let watched = projects.watch_project(authed(&outsider, WatchProjectRequest { project_id: project.clone() })).await;
    assert_eq!(watched.unwrap_err().code(), Code::NotFound);
    let vague = shots.refine(authed(&token, RefineRequest { shot_id: id.clone(), command: "make it nicer".into() })).await.unwrap_err();
    assert_eq!(vague.code(), Code::InvalidArgument, "{vague:?}");
    let blank = shots.reject(authed(&token, RejectRequest { shot_id: id.clone(), reason: " ".into() })).await.unwrap_err();
    assert_eq!(blank.code(), Code::InvalidArgument);
    assert_eq!(shots.get_shot(authed(&token, shot("not-a-uuid"))).await.unwrap_err().code(), Code::InvalidArgument);
    assert_eq!(shots.get_shot(authed(&token, shot(&uuid::Uuid::new_v4().to_string()))).await.unwrap_err().code(), Code::NotFound);

    let approved = shots.approve(authed(&token, shot(&id))).await?.into_inner();
    assert!(!approved.already_approved);
    assert_eq!(approved.shot.as_ref().map(|s| s.status.as_str()), Some("AWAITING_APPROVAL"), "as it stood when accepted");
    stack.wait_status(&id, "COMPLETED", WITHIN).await?;
    let again = shots.approve(authed(&token, shot(&id))).await?.into_inner();
    assert!(again.already_approved, "approving twice is harmless: {again:?}");
    let now = shots.get_shot(authed(&token, shot(&id))).await?.into_inner();
    assert_eq!(now.status, "COMPLETED");

    let versions = shots.list_versions(authed(&token, shot(&id))).await?.into_inner().versions;
    let (_, over_rest) = stack.get(&format!("/api/shots/{id}/versions")).await?;
    let rest_ids: Vec<&str> = over_rest.as_array().unwrap().iter().map(|v| v["versionId"].as_str().unwrap()).collect();
    assert_eq!(versions.iter().map(|v| v.version_id.as_str()).collect::<Vec<_>>(), rest_ids, "the same versions, newest first");
    let still = versions.iter().find(|v| v.kind == "image").expect("a still");
    assert!(still.media_url.starts_with("/api/media/") && still.seed.is_some() && !still.model_code.is_empty(), "{still:?}");
    let prompt = versions.iter().find(|v| v.kind == "prompt").expect("a prompt");
    assert!(serde_json::from_str::<serde_json::Value>(&prompt.request_json)?.is_object(), "{prompt:?}");

    // An animatic over gRPC, followed to its end and then listed; REST sees the same render.
    let mut renders = RendersClient::new(channel);
    let bad = StartRenderRequest { project_id: project.clone(), mode: "rough".into(), overlay: false };
    assert_eq!(renders.start_render(authed(&token, bad)).await.unwrap_err().code(), Code::InvalidArgument);
    let ask = StartRenderRequest { project_id: project.clone(), mode: "animatic".into(), overlay: false };
    assert_eq!(renders.start_render(authed(&viewer, ask.clone())).await.unwrap_err().code(), Code::PermissionDenied);
    let started = renders.start_render(authed(&token, ask)).await?.into_inner();
    assert_eq!(started.mode, "animatic");
    let deadline = tokio::time::Instant::now() + WITHIN;
    let done = loop {
        match renders.get_render(authed(&token, RenderRef { render_id: started.render_id.clone() })).await {
            Ok(r) if r.get_ref().status == "completed" => break r.into_inner(),
            Ok(r) => assert_ne!(r.get_ref().status, "failed", "{:?}", r.get_ref()),
            // Just started: the workflow may not be visible to the lookup yet.
            Err(e) => assert_eq!(e.code(), Code::NotFound, "{e:?}"),
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the animatic did not finish within {WITHIN:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(done.media_url.starts_with("/api/media/"), "{done:?}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&done.render_json)?["mode"], "animatic");
    let listed = renders.list_renders(authed(&token, ListRendersRequest { project_id: project.clone() })).await?.into_inner();
    assert_eq!(listed.renders.iter().map(|r| r.render_id.as_str()).collect::<Vec<_>>(), [started.render_id.as_str()]);
    let (_, over_rest) = stack.get(&format!("/api/renders/{}", started.render_id)).await?;
    assert_eq!(over_rest["mediaUrl"].as_str(), Some(done.media_url.as_str()));

    let mut events = Vec::new();
    while let Ok(event) = seen.try_recv() {
        events.push(event);
    }
    let statuses: Vec<&str> =
        events.iter().filter(|(name, e)| name == "SHOT_UPDATED" && e["shotId"] == id.as_str()).filter_map(|(_, e)| e["status"].as_str()).collect();
    for want in ["GENERATING_IMAGE", "AWAITING_APPROVAL", "GENERATING_VIDEO", "COMPLETED"] {
        assert!(statuses.contains(&want), "{want} was streamed: {statuses:?}");
    }
    assert!(
        events.iter().any(|(name, e)| name == "RENDER_PROGRESS" && e["renderId"] == started.render_id.as_str()),
        "the render's progress was streamed: {:?}",
        events.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()
    );
    Ok(())
}

/// The story side over gRPC: a conversation opened, spoken to and answered, its duplicate
/// message stored once; the song broken into scenes, followed to its end; each answer the same
/// as REST's for the same thing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenes_and_chat_over_grpc_match_rest() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let lyrics = miri_demo::timing().timed_lyrics();
    let project = stack.create_project_with("grpc story", &stack.demo_song()?, &lyrics, "A girl says goodnight to the stars.").await?;
    let channel = Channel::from_shared(stack.http.clone())?.connect().await?;
    let token = stack.token.clone();
    let mut chat = ChatClient::new(channel.clone());
    let mut scenes = ScenesClient::new(channel);

    let bad = CreateConversationRequest { project_id: project.clone(), topic: "gossip".into(), title: "x".into(), shot_id: String::new() };
    let refused = chat.create_conversation(authed(&token, bad)).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(refused.message().contains("gossip"), "{refused:?}");
    let ask = CreateConversationRequest { project_id: project.clone(), topic: "story".into(), title: "העלילה".into(), shot_id: String::new() };
    let opened = chat.create_conversation(authed(&token, ask)).await?.into_inner();
    assert_eq!((opened.topic.as_str(), opened.project_id.as_str()), ("story", project.as_str()));
    let listed = chat.list_conversations(authed(&token, ListConversationsRequest { project_id: project.clone() })).await?.into_inner();
    assert_eq!(listed.conversations.iter().map(|c| c.conversation_id.clone()).collect::<Vec<_>>(), [opened.conversation_id.clone()]);

    let client_message_id = uuid::Uuid::new_v4().to_string();
    let say = SayRequest { conversation_id: opened.conversation_id.clone(), content: "היא הולכת לים בלילה".into(), client_message_id: client_message_id.clone() };
    let sent = chat.say(authed(&token, say.clone())).await?.into_inner();
    assert_eq!((sent.message_id.as_str(), sent.duplicate), (client_message_id.as_str(), false));
    assert!(chat.say(authed(&token, say)).await?.into_inner().duplicate, "the same message again is the same message");
    let viewer = stack.key(&project, "viewer", "grpc viewer").await?;
    let quiet = SayRequest { conversation_id: opened.conversation_id.clone(), content: "x".into(), client_message_id: String::new() };
    assert_eq!(chat.say(authed(&viewer, quiet)).await.unwrap_err().code(), Code::PermissionDenied);

    let path = format!("/api/conversations/{}/messages", opened.conversation_id);
    let rest = stack.wait_messages(&opened.conversation_id, WITHIN, |body| miri_testkit::replies(body).len() == 1).await?;
    let answered = chat.list_messages(authed(&token, ConversationRef { conversation_id: opened.conversation_id.clone() })).await?.into_inner();
    let ids = |v: &serde_json::Value| v["messages"].as_array().unwrap().iter().map(|m| m["messageId"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(answered.messages.iter().map(|m| m.message_id.clone()).collect::<Vec<_>>(), ids(&rest), "{path}");
    assert_eq!(answered.messages.iter().map(|m| m.speaker.as_str()).collect::<Vec<_>>(), ["user", "assistant"]);
    assert_eq!(answered.state, "waiting");
    let reply: serde_json::Value = serde_json::from_str(&answered.messages[1].json)?;
    assert_eq!(reply["content"].as_str(), Some(answered.messages[1].content.as_str()));
    let (_, over_rest) = stack.get(&format!("/api/projects/{project}/scripts")).await?;
    let scripts = chat.list_scripts(authed(&token, ListScriptsRequest { project_id: project.clone() })).await?.into_inner().scripts;
    assert_eq!(scripts.len(), over_rest["scripts"].as_array().unwrap().len());

    // Scenes: none before an analysis, and the same refusal REST gives.
    let none = scenes.list_scenes(authed(&token, ListScenesRequest { project_id: project.clone() })).await?.into_inner();
    assert!(none.scenes.is_empty());
    let early = scenes.start_breakdown(authed(&token, StartBreakdownRequest { project_id: project.clone(), shots: None })).await.unwrap_err();
    assert_eq!(early.code(), Code::FailedPrecondition);
    let (_, rest_early) = stack.post(&format!("/api/projects/{project}/breakdowns"), serde_json::json!({})).await?;
    assert_eq!(early.message(), rest_early["error"]["message"]);
    let too_many = StartBreakdownRequest { project_id: project.clone(), shots: Some(10_000) };
    assert_eq!(scenes.start_breakdown(authed(&token, too_many)).await.unwrap_err().code(), Code::InvalidArgument);

    stack.run_step(&format!("/api/projects/{project}/analyses"), "analysisId", WITHIN).await?;
    let started = scenes.start_breakdown(authed(&token, StartBreakdownRequest { project_id: project.clone(), shots: None })).await?.into_inner();
    let follow = BreakdownRef { project_id: project.clone(), breakdown_id: started.breakdown_id.clone() };
    let deadline = tokio::time::Instant::now() + WITHIN;
    let done = loop {
        let status = scenes.get_breakdown(authed(&token, follow.clone())).await?.into_inner();
        if status.status != "running" || tokio::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(done.status, "completed", "{done:?}");
    let made: serde_json::Value = serde_json::from_str(&done.result_json)?;
    let listed = scenes.list_scenes(authed(&token, ListScenesRequest { project_id: project.clone() })).await?.into_inner().scenes;
    let (_, rest_scenes) = stack.get(&format!("/api/projects/{project}/scenes")).await?;
    let rest_ids: Vec<&str> = rest_scenes["scenes"].as_array().unwrap().iter().map(|s| s["sceneId"].as_str().unwrap()).collect();
    assert_eq!(listed.iter().map(|s| s.scene_id.as_str()).collect::<Vec<_>>(), rest_ids);
    assert_eq!(listed.len(), made["scenes"].as_array().unwrap().len());
    assert!(listed.windows(2).all(|w| w[0].end_ms == w[1].start_ms && w[0].index + 1 == w[1].index), "{listed:?}");
    let first: serde_json::Value = serde_json::from_str(&listed[0].json)?;
    assert_eq!(first["seed"].as_u64(), Some(listed[0].seed));
    assert!(first["references"].as_array().is_some_and(|r| !r.is_empty()), "{first}");
    let bad_ref = BreakdownRef { project_id: project.clone(), breakdown_id: "not-a-uuid".into() };
    assert_eq!(scenes.get_breakdown(authed(&token, bad_ref)).await.unwrap_err().code(), Code::InvalidArgument);
    Ok(())
}
