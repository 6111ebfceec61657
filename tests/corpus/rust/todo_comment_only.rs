pub struct Server;

impl Server {
    pub fn shutdown(&mut self) {
        // TODO: drain connections before closing
    }
}
