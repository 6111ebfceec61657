package com.example.audit;

public class AuditLog {
    public void record(String event) {
        // TODO: persist the event
    }

    public int size() { return 0; }
}
