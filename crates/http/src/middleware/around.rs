//! The actix plumbing the middleware here share: each middleware only says what it does
//! around one request ([`Around`]); [`around_transform!`] makes it an actix `Transform`.

use std::rc::Rc;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, forward_ready};
use futures_util::future::LocalBoxFuture;

/// The rest of the application, as a middleware sees it.
pub trait Next<B>:
    Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static
{
}

impl<S, B> Next<B> for S where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static
{
}

/// What a middleware answers, eventually.
pub type Reply<B> = LocalBoxFuture<'static, Result<ServiceResponse<B>, Error>>;

/// What a middleware does around one request, given the rest of the application.
pub trait Around: Clone + 'static {
    /// The response body the middleware produces from the inner body `B`.
    type Body<B: MessageBody + 'static>: MessageBody + 'static;

    /// Serves `req`, calling `next` for the rest of the application.
    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<Self::Body<B>>;
}

/// The service an [`Around`] middleware wraps around the application.
#[derive(Debug)]
pub struct AroundService<S, A> {
    service: Rc<S>,
    around: A,
}

impl<S, A> AroundService<S, A> {
    /// `around` in front of `service`.
    pub fn new(service: S, around: A) -> Self {
        Self {
            service: Rc::new(service),
            around,
        }
    }
}

impl<S, B, A> Service<ServiceRequest> for AroundService<S, A>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
    A: Around,
{
    type Response = ServiceResponse<A::Body<B>>;
    type Error = Error;
    type Future = Reply<A::Body<B>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        self.around.around(Rc::clone(&self.service), req)
    }
}

/// Implements actix's `Transform` for an [`Around`] type, so that it can be `.wrap()`ped.
/// (A blanket impl is not allowed for a trait and type both from actix.)
macro_rules! around_transform {
    ($middleware:ty) => {
        impl<S, B> actix_web::dev::Transform<S, actix_web::dev::ServiceRequest> for $middleware
        where
            S: actix_web::dev::Service<
                    actix_web::dev::ServiceRequest,
                    Response = actix_web::dev::ServiceResponse<B>,
                    Error = actix_web::Error,
                > + 'static,
            B: actix_web::body::MessageBody + 'static,
        {
            type Response = actix_web::dev::ServiceResponse<
                <$middleware as $crate::middleware::around::Around>::Body<B>,
            >;
            type Error = actix_web::Error;
            type Transform = $crate::middleware::around::AroundService<S, $middleware>;
            type InitError = ();
            type Future = std::future::Ready<Result<Self::Transform, Self::InitError>>;

            fn new_transform(&self, service: S) -> Self::Future {
                std::future::ready(Ok($crate::middleware::around::AroundService::new(
                    service,
                    self.clone(),
                )))
            }
        }
    };
}

pub(crate) use around_transform;
