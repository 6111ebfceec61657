package com.example.repo;

public class UserRepository implements Repository<User> {

	@Override
	public User findById(long id) {
		// TODO Auto-generated method stub
		return null;
	}

	@Override
	public int count() {
		// TODO Auto-generated method stub
		return 0;
	}

	@Override
	public boolean exists(long id) {
		// TODO Auto-generated method stub
		return false;
	}

	@Override
	public void delete(long id) {
		// TODO Auto-generated method stub

	}
}
