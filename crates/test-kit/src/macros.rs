//! [`per_backend!`](crate::per_backend): each test written once, run once per backend.

/// Declares one `#[tokio::test]` per backend for each named test function: a module per
/// backend, holding a test of the function's name that hands the backend and the function to
/// the constructor `with`, an `async fn(backend, test: impl AsyncFnOnce(Fixture))` that makes
/// the fixture (a store, a running server, a cache), runs the test over it, and returns
/// without running it when the backend is not set up (a skip, unless services are required).
///
/// - `per_backend!(with => a, b)`: modules `sqlite` and `postgres`, with
///   [`Backend::Sqlite`](crate::Backend) and [`Backend::Postgres`](crate::Backend): the port
///   contract suites (`with` = [`with_store`](crate::with_store), test fns `async fn(Store)`)
///   and the API tests (the binary's `with_app`, test fns `async fn(TestApp)`).
/// - `per_backend!(with, [module = backend, ...], [a, b])`: other backends, such as the cache
///   adapters ([`with_cache`](crate::with_cache)); one test per adapter, so that one
///   adapter's failure cannot hide another's result.
///
/// `with` and the backends are used from inside the generated modules: name them by a path
/// from the crate root or an extern crate (`crate::helpers::with_app`,
/// `driftguard_test_kit::with_store`).
#[macro_export]
macro_rules! per_backend {
    (@module $with:path, $module:ident, $backend:expr, [$($test:ident),+ $(,)?]) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    $with($backend, super::$test).await;
                }
            )+
        }
    };
    ($with:path, [$($module:ident = $backend:expr),+ $(,)?], $tests:tt) => {
        $( $crate::per_backend!(@module $with, $module, $backend, $tests); )+
    };
    ($with:path => $($test:ident),+ $(,)?) => {
        $crate::per_backend!(
            $with,
            [sqlite = $crate::Backend::Sqlite, postgres = $crate::Backend::Postgres],
            [$($test),+]
        );
    };
}
