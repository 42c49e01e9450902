//! A size-bounded cache of recently used values, in two generations: when the recent one
//! holds half the budget it becomes the older one and the previous older one is dropped. A
//! hit in the older generation moves the value back to the recent one. That is least
//! recently used, roughly, for the price of two hash maps: no list to keep in order.

use std::hash::Hash;

// Keys here are object ids and pack offsets: SipHash's protection against crafted keys buys
// nothing.
use rustc_hash::FxHashMap as HashMap;

pub(crate) struct Recent<K, V> {
    budget: usize,
    recent: HashMap<K, V>,
    older: HashMap<K, V>,
    recent_bytes: usize,
}

impl<K: Hash + Eq + Copy, V: Clone> Recent<K, V> {
    /// A cache that holds about `budget` bytes (as its callers count them) at most.
    pub(crate) fn new(budget: usize) -> Self {
        Recent { budget, recent: HashMap::default(), older: HashMap::default(), recent_bytes: 0 }
    }

    pub(crate) fn get(&mut self, key: &K, bytes: impl Fn(&V) -> usize) -> Option<V> {
        if let Some(value) = self.recent.get(key) {
            return Some(value.clone());
        }
        let value = self.older.remove(key)?;
        self.insert(*key, value.clone(), bytes(&value));
        Some(value)
    }

    pub(crate) fn insert(&mut self, key: K, value: V, bytes: usize) {
        self.recent_bytes += bytes;
        self.recent.insert(key, value);
        if self.recent_bytes > self.budget / 2 {
            self.older = std::mem::take(&mut self.recent);
            self.recent_bytes = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_values_stay_and_old_ones_go() {
        let mut cache = Recent::new(40);
        let size = |_: &u32| 10;
        cache.insert(1, 1u32, 10);
        cache.insert(2, 2, 10);
        cache.insert(3, 3, 10); // 30 > 20: 1, 2 and 3 become the older generation
        assert_eq!(cache.get(&1, size), Some(1), "an older value is still there, and comes back");
        cache.insert(4, 4, 10);
        cache.insert(5, 5, 10); // 1, 4, 5 are now older; 2 and 3 are gone
        assert_eq!(cache.get(&2, size), None);
        assert_eq!(cache.get(&3, size), None);
        assert_eq!(cache.get(&1, size), Some(1));
        assert_eq!(cache.get(&5, size), Some(5));
    }
}
