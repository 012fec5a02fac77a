// SPDX-License-Identifier: GPL-3.0-or-later
#include <QApplication>
#include <QMainWindow>
int main(int argc, char** argv) { QApplication a(argc, argv); QMainWindow w; w.show(); return a.exec(); }
