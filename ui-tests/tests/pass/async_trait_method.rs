// Shape 9: methods inside an `#[async_trait]` impl, the attribute on the method; and the
// attribute on the whole impl block above `#[async_trait]`.
#![deny(warnings)]

use acm_trace::acm_span;
use async_trait::async_trait;

#[async_trait]
trait Repo {
    async fn get(&self, k: u32) -> u32;
    async fn put(&mut self, k: u32) -> Result<(), String>;
}

struct Db {
    last: u32,
}

#[async_trait]
impl Repo for Db {
    #[acm_span("sql.get", key = k)]
    async fn get(&self, k: u32) -> u32 {
        self.last + k
    }

    #[acm_span("sql.put")]
    async fn put(&mut self, k: u32) -> Result<(), String> {
        if k == 0 {
            return Err("zero key".to_owned());
        }
        self.last = k;
        Ok(())
    }
}

struct Cache;

#[acm_span("read.{fn}")]
#[async_trait]
impl Repo for Cache {
    async fn get(&self, k: u32) -> u32 {
        k
    }

    async fn put(&mut self, _k: u32) -> Result<(), String> {
        Ok(())
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut db = Db { last: 1 };
        assert_eq!(db.get(1).await, 2);
        assert_eq!(db.put(0).await, Err("zero key".to_owned()));
        assert_eq!(db.put(5).await, Ok(()));
        assert_eq!(db.get(0).await, 5);
        let fut: std::pin::Pin<Box<dyn std::future::Future<Output = u32> + Send + '_>> = db.get(1);
        assert_eq!(tokio::spawn(async move { 0 }).await.unwrap() + fut.await, 6);
        let mut cache = Cache;
        assert_eq!(cache.get(3).await, 3);
        assert_eq!(cache.put(3).await, Ok(()));
    });
    let names: Vec<&str> = acm_trace::catalog::sites().map(|s| s.name).collect();
    for name in ["sql.get", "sql.put", "read.get", "read.put"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}
