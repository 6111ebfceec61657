package com.example.lifecycle;

public class NoopListener implements Listener {
    @Override
    public void onStart() {
        // nothing to do on start
    }

    @Override
    public void onStop() {}
}
