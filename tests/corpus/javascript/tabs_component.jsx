import React from 'react';

export function Badge({ label }) {
	return <span className="badge">{label}</span>;
}

export function Avatar({ user }) {
	throw new Error('Not implemented');
}
