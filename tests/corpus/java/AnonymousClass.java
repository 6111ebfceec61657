package com.example.events;

public class Bus {
    public Listener logger() {
        return new Listener() {
            @Override
            public void onEvent(Event event) {
                // TODO: log the event
            }
        };
    }
}
