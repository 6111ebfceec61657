package com.example.model;

public class Account {
	private final String owner;

	public Account(String owner) {
		super();
		// TODO Auto-generated constructor stub
	}
}
