package com.example.state;

public class Machine {
    public void halt() {
        throw new IllegalStateException("machine is stopped");
    }

    private Machine copy() {
        throw new AssertionError();
    }
}
