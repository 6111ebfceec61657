package mathx

func Abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

type Point struct{ X, Y int }

func (p Point) Add(q Point) Point {
	return Point{p.X + q.X, p.Y + q.Y}
}
