print("autoloss")
