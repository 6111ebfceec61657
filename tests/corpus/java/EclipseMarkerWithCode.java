package com.example.service;

public class OrderService {
    public Order place(Cart cart) {
        // TODO Auto-generated method stub
        return orders.save(Order.from(cart));
    }
}
