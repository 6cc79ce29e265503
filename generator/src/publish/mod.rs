//! Publishing lab events to a service. Each service's publisher owns its batch limits
//! (count and bytes), per-entry failure handling and its one retry.

mod chunk;
pub mod sqs;

use std::future::Future;

use eventlab_schema::{LabEvent, Service};

pub use chunk::{Oversized, chunk_ranges};

/// Where one event went: the service's id for it, or why it could not be published.
pub type Delivery = Result<String, String>;

/// Publishes events to a service, returning one [`Delivery`] per event, in order.
pub trait Publish: Send + Sync {
    /// Rejects the whole request up front when an event can never fit the service.
    fn check(&self, service: Service, events: &[LabEvent]) -> Result<(), Oversized>;

    fn publish(
        &self,
        service: Service,
        events: &[LabEvent],
    ) -> impl Future<Output = Vec<Delivery>> + Send;
}

/// The product's publishers, one per service that has a lane.
#[derive(Debug, Clone)]
pub struct Publishers {
    pub sqs: sqs::SqsPublisher,
}

impl Publish for Publishers {
    fn check(&self, service: Service, events: &[LabEvent]) -> Result<(), Oversized> {
        match service {
            Service::Sqs => sqs::SqsPublisher::check(events),
            other => unreachable!(
                "no lane for {other} yet: the router only accepts services with a publisher"
            ),
        }
    }

    async fn publish(&self, service: Service, events: &[LabEvent]) -> Vec<Delivery> {
        match service {
            Service::Sqs => self.sqs.publish(events).await,
            other => unreachable!(
                "no lane for {other} yet: the router only accepts services with a publisher"
            ),
        }
    }
}
