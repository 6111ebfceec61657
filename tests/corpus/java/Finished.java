package com.example.bank;

public class Account {
    private long balance;

    public Account(long opening) {
        this.balance = opening;
    }

    public void deposit(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive");
        }
        balance += amount;
    }

    public long balance() {
        return balance;
    }
}
