//! The table of contents: every URL the server answers, and the layers around them.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::api::{self, ApiDoc};
use crate::error::ApiError;
use crate::pages;
use crate::security::{self, MAX_BODY_BYTES};

/// A request that takes longer than this in all is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A request body that stalls this long between two pieces is abandoned.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The OpenAPI document and the API routes it describes, generated from the handlers.
pub fn api_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            api::members::register_member,
            api::members::list_members
        ))
        .routes(routes!(
            api::members::get_member,
            api::members::update_member
        ))
        .routes(routes!(api::members::withdraw_member))
        .routes(routes!(api::members::export_member))
        .routes(routes!(api::members::erase_member))
        .routes(routes!(api::events::record_event, api::events::list_events))
        .routes(routes!(api::events::void_event))
        .routes(routes!(api::events::void_record))
        .routes(routes!(api::events::list_facilities))
        .routes(routes!(
            api::permits::apply_permit,
            api::permits::list_permits
        ))
        .routes(routes!(api::permits::decide_permit))
        .routes(routes!(api::permits::expiring))
        .routes(routes!(api::market::create, api::market::list))
        .routes(routes!(api::market::apply))
        .routes(routes!(api::market::allocate, api::market::allocation))
        .routes(routes!(
            api::catalogue::create_product,
            api::catalogue::member_products
        ))
        .routes(routes!(
            api::catalogue::show_product,
            api::catalogue::update_product
        ))
        .routes(routes!(api::catalogue::remove_photo))
        .routes(routes!(api::catalogue::prices))
        .routes(routes!(
            api::catalogue::list_product,
            api::catalogue::delist_product
        ))
        .routes(routes!(
            api::catalogue::set_bank_account,
            api::catalogue::bank_account
        ))
        .routes(routes!(api::catalogue::catalogue))
        .routes(routes!(api::catalogue::catalogue_item))
        .routes(routes!(
            api::curation::create_call,
            api::curation::list_calls
        ))
        .routes(routes!(api::curation::submit))
        .routes(routes!(api::curation::show_submission))
        .routes(routes!(api::curation::step))
        .routes(routes!(api::curation::queue))
        .merge(
            // A photo may be up to 5 MB, a payment's two documents as much each: these
            // routes alone take bodies that large.
            OpenApiRouter::new()
                .routes(routes!(api::catalogue::upload_photo))
                .routes(routes!(api::eorder::pay))
                .layer(DefaultBodyLimit::max(security::UPLOAD_BODY_BYTES)),
        )
        .routes(routes!(api::eorder::create_unit, api::eorder::list_units))
        .routes(routes!(
            api::eorder::create_package,
            api::eorder::list_packages
        ))
        .routes(routes!(api::eorder::show_package))
        .routes(routes!(api::eorder::assign_package))
        .routes(routes!(api::eorder::place_order, api::eorder::list_orders))
        .routes(routes!(api::eorder::show_order))
        .routes(routes!(api::eorder::order_action))
        .routes(routes!(api::eorder::approve_payment))
        .routes(routes!(api::eorder::payment_document))
        .routes(routes!(api::eorder::rate))
        .routes(routes!(api::eorder::complain))
        .routes(routes!(api::eorder::list_complaints))
        .routes(routes!(api::eorder::close_complaint))
        .routes(routes!(api::eorder::stats))
        .routes(routes!(api::ocds::releases))
        .routes(routes!(api::ocds::record))
        .routes(routes!(api::mentoring::assign))
        .routes(routes!(api::mentoring::record, api::mentoring::list))
        .routes(routes!(api::mentoring::done))
        .routes(routes!(api::mentoring::overdue))
        .routes(routes!(
            api::market::add_participant,
            api::market::participants
        ))
        .routes(routes!(
            api::training::create_course,
            api::training::list_courses
        ))
        .routes(routes!(api::training::create_class))
        .routes(routes!(api::training::list_classes))
        .routes(routes!(api::training::show_class))
        .routes(routes!(api::training::enrol))
        .routes(routes!(api::training::attendance))
        .routes(routes!(api::training::complete))
        .routes(routes!(api::training::member_classes))
        .routes(routes!(api::finance::file, api::finance::list))
        .routes(routes!(
            api::financing::create_partner,
            api::financing::list_partners
        ))
        .routes(routes!(
            api::financing::refer,
            api::financing::member_referrals
        ))
        .routes(routes!(api::financing::list))
        .routes(routes!(api::financing::show))
        .routes(routes!(api::financing::decide))
        .routes(routes!(api::financing::disburse))
        .routes(routes!(api::audit::list_audit))
        .routes(routes!(api::audit::me))
        .routes(routes!(api::public::membership))
        .routes(routes!(api::regions::list_regions))
        .routes(routes!(api::regions::list_sectors))
        .routes(routes!(api::regions::list_indicators))
        .routes(routes!(api::regions::list_programmes))
        .routes(routes!(api::stats::facilities))
        .routes(routes!(api::stats::period))
        .routes(routes!(api::stats::funnel))
        .routes(routes!(api::stats::summary))
        .routes(routes!(api::enrolments::placement))
        .routes(routes!(api::enrolments::public_placement))
        .routes(routes!(api::enrolments::enrol, api::enrolments::list))
        .routes(routes!(api::enrolments::show))
        .routes(routes!(api::enrolments::record_event))
        .routes(routes!(api::enrolments::void_event))
        .routes(routes!(api::enrolments::place))
        .routes(routes!(api::enrolments::void_placement))
        .routes(routes!(api::enrolments::withdraw))
        .routes(routes!(api::enrolments::erase))
        .routes(routes!(api::enrolments::refer))
        .routes(routes!(
            api::job_fairs::create_centre,
            api::job_fairs::list_centres
        ))
        .routes(routes!(
            api::job_fairs::create_fair,
            api::job_fairs::list_fairs
        ))
        .routes(routes!(api::job_fairs::show_fair))
        .routes(routes!(api::job_fairs::add_vacancy))
        .routes(routes!(api::job_fairs::apply))
        .routes(routes!(api::job_fairs::decide))
        .routes(routes!(api::job_classes::create, api::job_classes::list))
        .routes(routes!(api::job_classes::show))
        .routes(routes!(api::job_classes::schedule))
        .routes(routes!(api::job_classes::enrol))
        .routes(routes!(api::job_classes::attendance))
        .routes(routes!(api::job_classes::assess))
        .routes(routes!(api::stats::cohorts))
        .routes(routes!(api::targets::list, api::targets::create))
        .routes(routes!(api::targets::withdraw))
        .routes(routes!(api::stats::public_facilities))
        .routes(routes!(api::stats::public_funnel))
        .routes(routes!(api::stats::public_period))
        .routes(routes!(api::stats::public_summary))
        .split_for_parts()
}

/// Page routes, each recorded as it is added so [`route_inventory`] lists exactly what
/// the router serves (the access matrix test walks that list).
struct Pages {
    router: Router<AppState>,
    seen: Vec<(&'static str, &'static str)>,
}

impl Pages {
    fn get<H, T>(mut self, path: &'static str, h: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, get(h));
        self.seen.push(("GET", path));
        self
    }

    fn post<H, T>(mut self, path: &'static str, h: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::post(h));
        self.seen.push(("POST", path));
        self
    }

    /// A form that sends a file: its body may be as large as [`security::body_limit`]
    /// says for its path.
    fn post_upload<H, T>(mut self, path: &'static str, h: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(
            path,
            axum::routing::post(h).layer(DefaultBodyLimit::max(security::body_limit(path))),
        );
        self.seen.push(("POST", path));
        self
    }
}

/// The state a statistics file's handler takes.
type StatsState = axum::extract::State<AppState>;

fn page_routes() -> Pages {
    use axum::extract::OriginalUri;
    use jakpreneur_reports::sheet::SheetFormat;
    use pages::{
        account, admin, cek, curation, finance, financing, home, imports, job_training, katalog,
        ledger, market, member_edit, member_page, members, members_export, mentoring, orders,
        permits, privacy, products, signup, statistik, trainees, training, two_factor, users,
    };
    Pages {
        router: Router::new(),
        seen: Vec::new(),
    }
    .get("/", home::home)
    .get("/static/app.css", pages::stylesheet)
    .get("/login", account::login_form)
    .post("/login", account::login)
    .get("/login/code", two_factor::code_form)
    .post("/login/code", two_factor::code)
    .post("/logout", account::logout)
    .get("/account", account::show)
    .post("/account/password", account::change_password)
    .post("/account/tokens", account::create_token)
    .post("/account/tokens/{id}/revoke", account::revoke_token)
    .get("/account/two-factor", two_factor::show)
    .post("/account/two-factor/start", two_factor::start)
    .post("/account/two-factor/confirm", two_factor::confirm)
    .post(
        "/account/two-factor/recovery-codes",
        two_factor::recovery_codes,
    )
    .post("/account/two-factor/disable", two_factor::disable)
    .get("/cek", cek::check)
    .get("/akun/daftar", signup::start_form)
    .post("/akun/daftar", signup::start)
    .get("/akun/daftar/kode", signup::code_form)
    .post("/akun/daftar/kode", signup::finish)
    .get("/privasi", privacy::notice)
    .get("/privasi/pelatihan-kerja", privacy::job_training)
    .get("/katalog", katalog::list)
    .get("/katalog/{id}", katalog::show)
    .get("/media/{name}", katalog::media_file)
    .get("/members/{member_no}/products", products::member_products)
    .post("/members/{member_no}/products", products::create)
    .post("/members/{member_no}/bank-account", products::bank_account)
    .get("/products/{id}", products::show)
    .post("/products/{id}", products::update)
    .post_upload("/products/{id}/photos", products::upload)
    .post(
        "/products/{id}/photos/{position}/remove",
        products::remove_photo,
    )
    .post("/products/{id}/listing", products::list)
    .post("/products/{id}/delisting", products::delist)
    .post("/products/{id}/submissions", products::submit)
    .get("/orders", orders::index)
    .get("/orders/{id}", orders::show)
    .post("/orders/{id}/{action}", orders::act)
    .post_upload("/orders/{id}/payments", orders::pay)
    .post("/payments/{id}/approve", orders::approve)
    .post("/complaints/{id}/close", orders::close_complaint)
    .get("/packages", orders::packages)
    .post("/packages", orders::create_package)
    .post("/packages/{id}/assign", orders::assign_package)
    .get("/belanja", orders::cart)
    .post("/belanja", orders::place)
    .get("/curation", curation::index)
    .post("/curation/calls", curation::create_call)
    .get("/curation/submissions/{id}", curation::submission)
    .post("/curation/submissions/{id}/{action}", curation::act)
    .get("/curation/certificates/{id}", curation::certificate)
    .get("/statistik", statistik::overview)
    .get("/statistik/periode", statistik::period)
    .get("/statistik/kohort", statistik::cohorts)
    .get("/statistik/target", statistik::targets)
    .get("/statistik/definisi", statistik::definitions)
    .get("/statistik/e-order", statistik::eorder)
    .get("/statistik/pelatihan-kerja", statistik::placement)
    .get(
        "/statistik/facilities.csv",
        |s: StatsState, u: OriginalUri| statistik::facilities_file(s, u, SheetFormat::Csv),
    )
    .get(
        "/statistik/facilities.xlsx",
        |s: StatsState, u: OriginalUri| statistik::facilities_file(s, u, SheetFormat::Xlsx),
    )
    .get("/statistik/periode.csv", |s: StatsState, u: OriginalUri| {
        statistik::period_file(s, u, SheetFormat::Csv)
    })
    .get(
        "/statistik/periode.xlsx",
        |s: StatsState, u: OriginalUri| statistik::period_file(s, u, SheetFormat::Xlsx),
    )
    .get("/statistik/kohort.csv", |s: StatsState, u: OriginalUri| {
        statistik::cohort_file(s, u, SheetFormat::Csv)
    })
    .get("/statistik/kohort.xlsx", |s: StatsState, u: OriginalUri| {
        statistik::cohort_file(s, u, SheetFormat::Xlsx)
    })
    .get("/admin/audit", admin::audit)
    .get("/admin/users", users::list)
    .post("/admin/users", users::create)
    .post("/admin/users/{username}/{action}", users::act)
    .get("/import", imports::index)
    .post_upload("/import", imports::upload)
    .get("/import/{id}", imports::show)
    .get("/import/{id}/report.csv", imports::report)
    .post("/import/{id}/apply", imports::apply)
    .get("/members", members::list)
    .post("/members", members::create)
    .post("/members/find", members::find)
    .post("/members/export", members_export::export)
    .get("/members/new", members::new_form)
    .get("/members/{member_no}", member_page::show)
    .get("/members/{member_no}/edit", member_edit::edit_form)
    .post("/members/{member_no}/edit", member_edit::edit_save)
    .post("/members/{member_no}/withdraw", member_edit::withdraw)
    .post("/members/{member_no}/nik", member_page::reveal_nik)
    .post("/members/{member_no}/export", members::export)
    .post("/members/{member_no}/erase", members::erase)
    .post("/members/{member_no}/events", ledger::record)
    .post("/members/{member_no}/events/{id}/void", ledger::void)
    .post(
        "/members/{member_no}/records/{record}/void",
        ledger::void_record,
    )
    .post("/members/{member_no}/permits", permits::apply)
    .post(
        "/members/{member_no}/permits/{id}/decision",
        permits::decide,
    )
    .get("/permits/expiring", permits::expiring)
    .get("/pelatihan-kerja", trainees::list)
    .post("/pelatihan-kerja", trainees::enrol)
    .get("/pelatihan-kerja/{enrolment_no}", trainees::show)
    .post("/pelatihan-kerja/{enrolment_no}/events", trainees::record)
    .post(
        "/pelatihan-kerja/{enrolment_no}/placements",
        trainees::place,
    )
    .post("/pelatihan-kerja/{enrolment_no}/referral", trainees::refer)
    .post(
        "/pelatihan-kerja/{enrolment_no}/withdraw",
        trainees::withdraw,
    )
    .post("/pelatihan-kerja/{enrolment_no}/erase", trainees::erase)
    .get("/pelatihan-kerja/pusat", job_training::centres::list)
    .post("/pelatihan-kerja/pusat", job_training::centres::create)
    .get("/pelatihan-kerja/kelas", job_training::classes::list)
    .post("/pelatihan-kerja/kelas", job_training::classes::create)
    .get("/pelatihan-kerja/kelas/{id}", job_training::classes::show)
    .post(
        "/pelatihan-kerja/kelas/{id}/sesi",
        job_training::classes::schedule,
    )
    .post(
        "/pelatihan-kerja/kelas/{id}/peserta",
        job_training::classes::enrol,
    )
    .post(
        "/pelatihan-kerja/kelas/{id}/kehadiran",
        job_training::classes::attendance,
    )
    .post(
        "/pelatihan-kerja/kelas/{id}/penilaian",
        job_training::classes::assess,
    )
    .get("/pelatihan-kerja/bursa", job_training::fairs::list)
    .post("/pelatihan-kerja/bursa", job_training::fairs::create)
    .get("/pelatihan-kerja/bursa/{id}", job_training::fairs::show)
    .post(
        "/pelatihan-kerja/bursa/{id}/lowongan",
        job_training::fairs::add_vacancy,
    )
    .post(
        "/pelatihan-kerja/bursa/{id}/lamaran",
        job_training::fairs::apply,
    )
    .post(
        "/pelatihan-kerja/bursa/{id}/lamaran/{application}/keputusan",
        job_training::fairs::decide,
    )
    .post("/members/{member_no}/mentor", mentoring::assign)
    .post("/members/{member_no}/mentoring-sessions", mentoring::record)
    .post("/follow-ups/{id}/done", mentoring::done)
    .get("/follow-ups/overdue", mentoring::overdue)
    .get("/market-events", market::list)
    .post("/market-events", market::create)
    .get("/market-events/{id}", market::show)
    .post("/market-events/{id}/participants", market::add)
    .post("/market-events/{id}/applications", market::apply)
    .post("/market-events/{id}/allocation", market::allocate)
    .get("/training", training::list)
    .post("/training/courses", training::create_course)
    .post("/training/classes", training::create_class)
    .get("/training/classes/{id}", training::show)
    .post("/training/classes/{id}/enrolments", training::enrol)
    .post("/training/classes/{id}/attendance", training::attendance)
    .post("/training/classes/{id}/complete", training::complete)
    .post("/members/{member_no}/financial-reports", finance::file)
    .post("/members/{member_no}/referrals", finance::refer)
    .get("/financing", financing::list)
    .get("/financing/referrals/{id}", financing::show)
    .post("/financing/referrals/{id}/decision", financing::decide)
    .post(
        "/financing/referrals/{id}/disbursement",
        financing::disburse,
    )
    .get("/financing/partners", financing::partners)
    .post("/financing/partners", financing::create_partner)
}

/// Routes outside the API document and the page table.
pub const OTHER_ROUTES: [(&str, &str); 5] = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/docs/"),
    ("GET", "/api/v1/openapi.json"),
];

/// Every (method, path) the router serves: the API (from its OpenAPI document), the
/// pages, and [`OTHER_ROUTES`].
pub fn route_inventory() -> Vec<(String, String)> {
    let (_, openapi) = api_routes();
    let mut out: Vec<(String, String)> = Vec::new();
    for (path, item) in openapi.paths.paths {
        let ops = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (m, present) in ops {
            if present {
                out.push((m.to_owned(), path.clone()));
            }
        }
    }
    for (m, p) in page_routes().seen.into_iter().chain(OTHER_ROUTES) {
        out.push((m.to_owned(), p.to_owned()));
    }
    out.sort();
    out
}

pub fn build_router(state: AppState) -> Router {
    let (api, openapi) = api_routes();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .merge(api)
        .merge(page_routes().router)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::rate_limit,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(refuse_declared_oversize))
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            ApiError::internal().into_response()
        }))
        .layer(middleware::from_fn(security::security_headers))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(crate::request_id::request_id))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::record,
        ))
        .with_state(state)
}

/// `GET /readyz`: ready to serve when the database answers and its schema is this
/// build's (200 `ready`); otherwise 503 with the reason, for a load balancer to wait on.
/// `/healthz` only says that the process runs.
async fn readyz(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    match app.store.ready().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(why) => {
            tracing::warn!(reason = %why, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}")).into_response()
        }
    }
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no API route {}", uri.path()),
        )
        .into_response()
    } else {
        (StatusCode::NOT_FOUND, axum::response::Html(NOT_FOUND_HTML)).into_response()
    }
}

const NOT_FOUND_HTML: &str = "<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>404</title>\
<link rel=\"stylesheet\" href=\"/static/app.css\"><main><h1>404</h1>\
<p>Halaman tidak ditemukan. / Page not found.</p><p><a href=\"/\">Jakpreneur</a></p></main></html>";

async fn method_not_allowed(uri: Uri) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not accept this method", uri.path()),
    )
    .into_response()
}

/// Refuses a path with a NUL character, and a body whose declared length is over the limit
/// before reading any of it (and before `Expect: 100-continue` invites the client to send
/// it).
async fn refuse_declared_oversize(req: Request, next: Next) -> Response {
    // A NUL character in the path (`%00`): no route takes one, and a database refuses it.
    if req.uri().path().to_ascii_lowercase().contains("%00") {
        return ApiError::bad_request("nul_character", "the path contains a NUL character (%00)")
            .into_response();
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = security::body_limit(req.uri().path());
    if declared.is_some_and(|n| n > limit as u64) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {} KiB", limit / 1024),
        )
        .into_response();
    }
    next.run(req).await
}
