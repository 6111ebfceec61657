package com.example.shop;

import java.math.BigDecimal;

public class PriceCalculator {
    public BigDecimal net(BigDecimal gross) {
        return gross.divide(new BigDecimal("1.2"));
    }

    public BigDecimal discount(BigDecimal price, int percent) {
        throw new UnsupportedOperationException();
    }
}
