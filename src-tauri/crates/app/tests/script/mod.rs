//! An [`Ask`] that answers from a script (then no) and keeps what it was asked: the person at the
//! window's native dialog, for the use-case tests without Tauri.

use std::collections::VecDeque;
use std::sync::Mutex;

use trustbridge_app::confirm::Confirmation;
use trustbridge_app::confirmed::Ask;

#[derive(Default)]
pub struct Script {
    pub answers: Mutex<VecDeque<bool>>,
    pub asked: Mutex<Vec<Confirmation>>,
}

impl Script {
    pub fn answering(answers: &[bool]) -> Script {
        Script { answers: Mutex::new(answers.iter().copied().collect()), ..Script::default() }
    }

    /// How many times it was asked.
    pub fn asked(&self) -> usize {
        self.asked.lock().unwrap().len()
    }

    /// The last question's text.
    #[allow(dead_code)] // not every test reads it
    pub fn last(&self) -> String {
        self.asked.lock().unwrap().last().map(|c| c.message.clone()).unwrap_or_default()
    }
}

impl Ask for Script {
    fn ask(&self, c: &Confirmation) -> impl std::future::Future<Output = bool> + Send {
        self.asked.lock().unwrap().push(c.clone());
        let yes = self.answers.lock().unwrap().pop_front().unwrap_or(false);
        async move { yes }
    }
}
